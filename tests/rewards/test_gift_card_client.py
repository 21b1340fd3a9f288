"""``loyalty.shopify.gift_cards``: the app's ``giftCardCreate`` call against the strict fake."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loyalty.shopify.errors import ShopifyUnavailable
from loyalty.shopify.gift_cards import GiftCardRejected, GiftCardSpec, create_gift_card
from tests.support.rewards import CUSTOMER
from tests.support.shops import SHOP


def issue(spec: GiftCardSpec):
    from runtime import shop_access_token, shopify_client

    return create_gift_card(shopify_client(), SHOP, shop_access_token(SHOP), spec)


def test_a_gift_card_is_issued_to_the_customer_and_its_full_code_answered_once(
    app, shop_id, fake_shopify
):
    card = issue(GiftCardSpec(CUSTOMER, Decimal("250.00"), "NOK", note="Klubb #1"))

    stored = fake_shopify.shop(SHOP).gift_cards[card.id]
    assert stored.code == card.code and card.last_characters == card.code[-4:]
    assert (card.amount, card.currency) == (Decimal("250.0"), "NOK")
    assert stored.customer_gid == f"gid://shopify/Customer/{CUSTOMER}"
    assert stored.note == "Klubb #1"
    assert card.code not in repr(card)


def test_a_gift_card_of_zero_is_refused(app, shop_id, fake_shopify):
    with pytest.raises(GiftCardRejected) as refused:
        issue(GiftCardSpec(CUSTOMER, Decimal("0"), "NOK"))
    assert refused.value.codes == ["GREATER_THAN"]
    assert fake_shopify.shop(SHOP).gift_cards == {}


def test_an_unknown_customer_is_refused(app, shop_id):
    with pytest.raises(GiftCardRejected) as refused:
        issue(GiftCardSpec(999_999, Decimal("10"), "NOK"))
    assert refused.value.codes == ["CUSTOMER_NOT_FOUND"]


def test_shopify_down_is_unavailable_not_rejected(app, shop_id, fake_shopify):
    for _ in range(5):
        fake_shopify.fail_next_graphql_request(status=503)
    with pytest.raises(ShopifyUnavailable):
        issue(GiftCardSpec(CUSTOMER, Decimal("10"), "NOK"))
