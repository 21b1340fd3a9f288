"""Shopify gift cards: the one call that issues one (``giftCardCreate``, scope
``write_gift_cards``; assigning it to a customer needs ``write_customers`` too).

Shopify answers the full code once, in the mutation's payload, and shows only its last four
characters afterwards; it emails the card to the customer itself. Callers show
:attr:`IssuedGiftCard.code` to the member at once and keep only
:attr:`IssuedGiftCard.last_characters`. ``giftCardCreate`` is not idempotent: a call that timed
out may have created the card, so callers must not simply call again (a read timeout is not
retried by the client either).

Errors, besides the client's (:mod:`loyalty.shopify.errors`)::

    ShopifyError
    └── GiftCardRejected     userErrors: Shopify will not create this card (``codes``)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.errors import ShopifyRefused, ShopifyUnavailable, user_error_codes

CREATE = (
    "mutation KlubbGiftCard($input: GiftCardCreateInput!) { giftCardCreate(input: $input) {"
    " giftCard { id lastCharacters initialValue { amount currencyCode } }"
    " giftCardCode userErrors { field code message } } }"
)


class GiftCardRejected(ShopifyRefused):
    """Shopify answered ``giftCardCreate`` with userErrors; ``codes`` are theirs
    (``GREATER_THAN``, ``CUSTOMER_NOT_FOUND``…)."""

    code = "gift_card_rejected"


@dataclass(frozen=True)
class GiftCardSpec:
    """A gift card to issue: for one customer, ``amount`` in ``currency`` (the shop's)."""

    customer_id: int
    amount: Decimal
    currency: str
    note: str | None = None  # the merchant sees it in Shopify's admin; the customer does not
    expires_on: date | None = None
    code: str | None = None  # our own (8 to 20 letters and digits), so a retry can find the card


@dataclass(frozen=True)
class IssuedGiftCard:
    """A gift card Shopify created. ``code`` is the full code: show it once, never store it."""

    id: str  # gid://shopify/GiftCard/…
    last_characters: str
    amount: Decimal
    currency: str
    code: str = field(repr=False)


def gift_card_input(spec: GiftCardSpec) -> dict[str, Any]:
    """The mutation's ``GiftCardCreateInput`` for ``spec`` (Shopify generates the code unless
    ``spec.code`` is given)."""
    data: dict[str, Any] = {
        "customerId": f"gid://shopify/Customer/{spec.customer_id}",
        "initialAmount": {"amount": str(spec.amount), "currencyCode": spec.currency},
    }
    if spec.note:
        data["note"] = spec.note
    if spec.expires_on:
        data["expiresOn"] = spec.expires_on.isoformat()
    if spec.code:
        data["code"] = spec.code
    return data


def create_gift_card(
    client: ShopifyClient, shop: str, token: str, spec: GiftCardSpec
) -> IssuedGiftCard:
    """Issue a gift card in Shopify; the card with its full code.

    Raises :class:`GiftCardRejected`, :class:`ShopifyUnavailable` for Shopify's
    ``INTERNAL_ERROR``, or the client's errors.
    """
    variables = {"input": gift_card_input(spec)}
    payload = client.graphql(shop, token, CREATE, variables).get("giftCardCreate") or {}
    codes = user_error_codes(payload)
    if "INTERNAL_ERROR" in codes:
        raise ShopifyUnavailable(f"giftCardCreate for {shop}: INTERNAL_ERROR")
    card = payload.get("giftCard") or {}
    code = payload.get("giftCardCode")
    if codes or not card.get("id") or not code:
        raise GiftCardRejected(f"giftCardCreate for {shop}: {', '.join(codes) or 'no card'}", codes)
    value = card.get("initialValue") or {}
    return IssuedGiftCard(
        id=str(card["id"]),
        last_characters=str(card.get("lastCharacters") or code[-4:]),
        amount=Decimal(str(value.get("amount", spec.amount))),
        currency=str(value.get("currencyCode") or spec.currency),
        code=str(code),
    )
