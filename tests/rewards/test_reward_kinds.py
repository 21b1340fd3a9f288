"""Rewards beyond discount codes, end to end: the merchant creates them through ``/api``, a
member redeems them through ``/proxy`` against the strict fake Shopify, jobs finish them.

A free product is a one-customer code for its variant's price off that variant, once per
order; a gift card is Shopify's, its full code shown once; store credit only where the shop has
it. Bad input: a free product deleted in Shopify, a gift card of zero, store credit on a shop
without it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from devtools.fake_shopify import DEFAULT_SCOPES
from jobs.redemptions import check_free_products
from jobs.schedule import PERIODIC
from loyalty.core.models import Reward
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.rewards import CUSTOMER, balance, entries, give_points, redemption_rows
from tests.support.shops import SHOP

MUG_PRODUCT, MUG_VARIANT = 11, 21


@pytest.fixture
def mug(fake_shop: Any, member_id: int) -> str:
    """A product with one variant at 149 kr in the installed shop (Kari a member with 1000
    points); the variant's gid."""
    return fake_shop.add_product_variants(
        MUG_PRODUCT, "Klubb mug", [(MUG_VARIANT, "Blue", "149.00")]
    )[0]


def create(client: Any, **body: Any) -> Any:
    """POST /api/rewards as the merchant."""
    return client.post("/api/rewards", json=body, headers=bearer(SHOP))


def free_mug(client: Any, **extra: Any) -> dict[str, Any]:
    body = {"kind": "free_product", "title": "Free mug", "points_cost": 400, **extra}
    response = create(client, variant_id=str(MUG_VARIANT), **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def storefront_reward(proxy: Any, reward_id: str) -> dict[str, Any]:
    summary = proxy("GET", "/proxy/api/member", customer_id=CUSTOMER).get_json()
    return next(r for r in summary["rewards"] if r["id"] == reward_id)


# -- free product ------------------------------------------------------------------------


def test_a_free_product_is_a_code_for_one_unit_of_its_variant(
    client, proxy, redeem, rt, fake_shopify, member_id, mug
):
    reward = free_mug(client)
    assert (reward["value"], reward["variant_id"], reward["product_id"]) == ("149", "21", "11")
    assert (reward["product_title"], reward["on_price_change"]) == ("Klubb mug - Blue", "follow")
    shown = storefront_reward(proxy, reward["id"])
    assert (shown["kind"], shown["product_title"], shown["paused"]) == (
        "free_product",
        "Klubb mug - Blue",
        None,
    )

    response = redeem(reward["id"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["state"], body["amount"], body["kind"]) == ("issued", "149", "free_product")
    discount = fake_shopify.shop(SHOP).discount_by_code(body["code"])
    # The variant's price off that variant only, once per order: one unit free, not every unit.
    assert (discount.amount, discount.applies_on_each_item) == (Decimal("149.00"), False)
    assert discount.variant_ids == [mug] and discount.percentage is None
    assert discount.customer_ids == [f"gid://shopify/Customer/{CUSTOMER}"]
    assert discount.usage_limit == 1
    assert balance(rt, member_id) == 600


def test_a_new_price_is_followed_by_default(client, redeem, fake_shop, fake_shopify, mug):
    reward = free_mug(client)
    fake_shop.set_price(MUG_VARIANT, "199.00")

    body = redeem(reward["id"]).get_json()
    assert (body["state"], body["amount"]) == ("issued", "199")
    assert fake_shopify.shop(SHOP).discount_by_code(body["code"]).amount == Decimal("199.00")
    listed = client.get("/api/rewards", headers=bearer(SHOP)).get_json()["rewards"]
    assert listed[0]["value"] == "199" and listed[0]["paused"] is None


def test_a_new_price_pauses_the_reward_when_the_merchant_chose_so(
    client, proxy, redeem, rt, fake_shop, member_id, mug
):
    reward = free_mug(client, on_price_change="pause")
    fake_shop.set_price(MUG_VARIANT, "199.00")

    response = redeem(reward["id"])
    assert response.status_code == 502
    error = response.get_json()["error"]
    assert error["code"] == "reward_paused" and "price" in error["message"]
    assert balance(rt, member_id) == 1000  # the points are back
    assert storefront_reward(proxy, reward["id"])["paused"] == "price_changed"
    again = redeem(reward["id"])
    assert (again.status_code, again.get_json()["error"]["code"]) == (422, "reward_unavailable")

    # The merchant saves it again: the new price, no pause.
    saved = client.put(f"/api/rewards/{reward['id']}", json={}, headers=bearer(SHOP))
    assert (saved.get_json()["value"], saved.get_json()["paused"]) == ("199", None)
    assert redeem(reward["id"]).status_code == 201


def test_a_free_product_deleted_in_shopify_pauses_and_the_member_is_told(
    client, proxy, redeem, rt, fake_shop, fake_shopify, member_id, mug
):
    reward = free_mug(client)
    fake_shop.delete_product(MUG_PRODUCT)

    response = redeem(reward["id"])
    assert response.status_code == 502
    body = response.get_json()
    assert body["error"]["code"] == "reward_paused"
    assert "no longer available" in body["error"]["message"]
    assert body["redemption"]["state"] == "returned"
    assert balance(rt, member_id) == 1000
    assert entries(rt, member_id) == [("adjust", 1000), ("redeem", -400), ("redeem_return", 400)]
    assert fake_shopify.shop(SHOP).discounts == {}
    assert storefront_reward(proxy, reward["id"])["paused"] == "product_deleted"

    # Saving it again while the product is gone is refused, field by field.
    saved = client.put(f"/api/rewards/{reward['id']}", json={}, headers=bearer(SHOP))
    assert saved.status_code == 422 and "variant_id" in saved.get_json()["error"]["fields"]


def test_the_hourly_job_pauses_a_deleted_product_and_follows_prices(
    client, proxy, fake_shop, shop_id, mug
):
    assert [p.interval for p in PERIODIC if p.func is check_free_products] == [3600]
    followed = free_mug(client)
    fake_shop.add_product_variants(12, "Tote bag", [(22, "Default", "99.00")])
    gone = create(client, kind="free_product", title="Tote", points_cost=300, variant_id="22")
    fake_shop.set_price(MUG_VARIANT, "159.00")
    fake_shop.delete_product(12)

    assert check_free_products() == {"checked": 2, "paused": 1, "repriced": 1}
    assert storefront_reward(proxy, gone.get_json()["id"])["paused"] == "product_deleted"
    assert storefront_reward(proxy, followed["id"])["value"] == "159"
    assert check_free_products() == {"checked": 1, "paused": 0, "repriced": 0}


def test_a_variant_the_shop_does_not_have_is_refused(client, shop_id):
    response = create(
        client, kind="free_product", title="Nothing", points_cost=10, variant_id="999"
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "variant_id": "No such product variant in this shop."
    }


# -- gift card ---------------------------------------------------------------------------


def test_a_gift_card_s_full_code_is_shown_once_then_only_its_last_characters(
    client, proxy, redeem, rt, fake_shopify, member_id
):
    created = create(
        client, kind="gift_card", title="100 kr gift card", points_cost=800, value="100"
    )
    assert created.status_code == 201, created.get_json()
    reward = created.get_json()

    response = redeem(reward["id"], key="gift-card-once")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    code = body["code"]
    # A repeat of the request (a lost answer) does not show it again: not even Redis keeps it.
    replay = redeem(reward["id"], key="gift-card-once")
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json()["code"] is None and replay.get_json()["last_characters"] == code[-4:]
    assert len(code) == 16 and body["last_characters"] == code[-4:]
    assert (body["amount"], body["apply_url"], body["state"]) == ("100", None, "issued")
    card = fake_shopify.shop(SHOP).gift_card_by_code(code)
    assert card.customer_gid == f"gid://shopify/Customer/{CUSTOMER}"
    assert card.initial_value == Decimal("100.00") and card.currency == "NOK"

    # Klubb keeps only the last characters: the next answer has no code.
    polled = proxy("GET", f"/proxy/api/redemptions/{body['id']}", customer_id=CUSTOMER).get_json()
    assert polled["code"] is None and polled["last_characters"] == code[-4:]
    assert redemption_rows(rt, member_id)[0].code is None
    summary = proxy("GET", "/proxy/api/member", customer_id=CUSTOMER).get_json()
    assert summary["vouchers"] == [
        {
            "id": body["id"],
            "source": "reward",
            "kind": "gift_card",
            "last_characters": code[-4:],
            "amount": "100",
            "currency": "NOK",
            "state": "issued",
        }
    ]
    staff = client.get(f"/api/members/{CUSTOMER}", headers=bearer(SHOP)).get_json()
    assert staff["vouchers"] == summary["vouchers"]
    assert balance(rt, member_id) == 200


def test_a_slow_gift_card_is_finished_by_the_job_and_its_code_shown_at_the_first_poll(
    app, client, proxy, redeem, fake_shopify, member_id
):
    reward = create(
        client, kind="gift_card", title="Gift card", points_cost=500, value="50"
    ).get_json()
    fake_shopify.throttle(SHOP, available=0)

    response = redeem(reward["id"])
    assert response.status_code == 202
    drain(app, ["shopify"])
    path = f"/proxy/api/redemptions/{response.get_json()['id']}"
    first = proxy("GET", path, customer_id=CUSTOMER).get_json()
    assert first["state"] == "issued" and len(first["code"]) == 16
    assert proxy("GET", path, customer_id=CUSTOMER).get_json()["code"] is None


def test_a_gift_card_of_zero_is_refused(client, shop_id):
    for value in ("0", "0.00", None):
        response = create(client, kind="gift_card", title="Nothing", points_cost=10, value=value)
        assert response.status_code == 422
        assert set(response.get_json()["error"]["fields"]) == {"value"}


def test_a_gift_card_shopify_refuses_gives_the_points_back(
    client, redeem, rt, shop_id, fake_shopify
):
    stranger = give_points(rt, shop_id, 999, 1000)  # not a customer Shopify knows
    reward = create(
        client, kind="gift_card", title="Gift card", points_cost=500, value="50"
    ).get_json()
    response = redeem(reward["id"], customer_id=999)
    assert response.status_code == 502
    assert response.get_json()["error"]["code"] == "code_not_created"
    assert balance(rt, stranger) == 1000
    assert fake_shopify.shop(SHOP).gift_cards == {}


# -- store credit ------------------------------------------------------------------------


def test_store_credit_is_not_offered_on_a_shop_without_it(
    client, proxy, redeem, rt, shop_id, member_id
):
    refused = create(client, kind="store_credit", title="Credit", points_cost=100, value="25")
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) == {"kind"}

    # One made while the shop had it (the merchant later revoked the scope) is neither listed
    # nor redeemable.
    with rt.sessions.begin() as s:
        row = Reward(
            shop_id=shop_id,
            kind="store_credit",
            title="Credit",
            points_cost=100,
            value=Decimal("25"),
        )
        s.add(row)
        s.flush()
        reward_id = str(row.id)
    summary = proxy("GET", "/proxy/api/member", customer_id=CUSTOMER).get_json()
    assert reward_id not in {r["id"] for r in summary["rewards"]}
    response = redeem(reward_id)
    assert (response.status_code, response.get_json()["error"]["code"]) == (
        422,
        "reward_unavailable",
    )
    assert balance(rt, member_id) == 1000


def test_store_credit_where_the_shop_has_it(
    client, proxy, redeem, rt, installed_shop, fake_shop, fake_shopify
):
    shop = installed_shop(
        tokens=True, scopes=f"{DEFAULT_SCOPES},write_store_credit_account_transactions"
    )
    member = give_points(rt, shop.id, CUSTOMER, 1000)
    created = create(client, kind="store_credit", title="25 kr credit", points_cost=250, value="25")
    assert created.status_code == 201, created.get_json()

    response = redeem(created.get_json()["id"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["state"], body["amount"], body["code"], body["apply_url"]) == (
        "issued",
        "25",
        None,
        None,
    )
    account = fake_shopify.shop(SHOP).store_credit[(f"gid://shopify/Customer/{CUSTOMER}", "NOK")]
    assert account.balance == Decimal("25.00")
    summary = proxy("GET", "/proxy/api/member", customer_id=CUSTOMER).get_json()
    assert [(v["kind"], v["amount"]) for v in summary["vouchers"]] == [("store_credit", "25")]
    # In the member's history: the points spent on it.
    assert entries(rt, member) == [("adjust", 1000), ("redeem", -250)]
    with rt.sessions.begin() as s:
        s.execute(update(Reward).values(active=False))
