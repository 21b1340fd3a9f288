"""A member redeems a reward in the widget and gets a working one-customer code from Shopify."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from loyalty.points.ledger import reconcile
from tests.support.rewards import CUSTOMER, balance, entries, redemption_rows
from tests.support.shops import SHOP

CODE = re.compile(r"^KLUBB-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{10}$")


@pytest.mark.embedded
def test_a_member_redeems_and_gets_a_working_code(
    rt, proxy, redeem, fake_shopify, member_id, reward_id
):
    response = redeem(reward_id)

    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_json()
    assert body["state"] == "issued" and CODE.match(body["code"])
    assert body["apply_url"] == f"/discount/{body['code']}"
    assert (body["id"], body["reward_id"]) == (str(redemption_rows(rt, member_id)[0].id), reward_id)
    assert (body["value"], body["currency"], body["points"]) == ("50", "NOK", 500)
    assert body["points_balance"] == 500 and body["ends_at"]
    discount = fake_shopify.shop(SHOP).discount_by_code(body["code"])
    assert discount is not None and discount.kind == "basic"
    assert discount.customer_ids == [f"gid://shopify/Customer/{CUSTOMER}"]
    assert (discount.usage_limit, discount.applies_once_per_customer) == (1, True)
    assert discount.amount == Decimal("50.00") and discount.ends_at is not None
    assert discount.title.endswith(f"(Klubb #{body['id']})")
    assert balance(rt, member_id) == 500
    assert entries(rt, member_id) == [("adjust", 1000), ("redeem", -500)]
    assert reconcile(rt.sessions) == []
    polled = proxy("GET", f"/proxy/api/redemptions/{body['id']}", customer_id=CUSTOMER)
    assert polled.status_code == 200 and polled.get_json()["code"] == body["code"]


@pytest.mark.parametrize(
    ("fields", "kind", "check"),
    [
        (
            {"kind": "percentage", "title": "10 % off", "value": "0.1", "minimum_order": "200"},
            "basic",
            lambda d: d.percentage == pytest.approx(0.1) and d.minimum_subtotal == Decimal("200"),
        ),
        (
            {"kind": "free_shipping", "title": "Free shipping", "value": None},
            "free_shipping",
            lambda d: d.percentage is None and d.amount is None,
        ),
    ],
)
def test_percentage_and_free_shipping_rewards_become_their_kind_of_code(
    redeem, fake_shopify, member_id, make_reward, fields, kind, check
):
    body = redeem(make_reward(**fields)).get_json()

    assert body["state"] == "issued"
    discount = fake_shopify.shop(SHOP).discount_by_code(body["code"])
    assert discount.kind == kind and discount.usage_limit == 1 and check(discount)
    assert discount.customer_ids == [f"gid://shopify/Customer/{CUSTOMER}"]


def test_a_code_without_a_lifetime_never_ends(redeem, fake_shopify, member_id, make_reward):
    body = redeem(make_reward()).get_json()
    assert body["ends_at"] is None
    assert fake_shopify.shop(SHOP).discount_by_code(body["code"]).ends_at is None


@pytest.mark.embedded
def test_not_enough_points_is_422_with_a_message(rt, redeem, member_id, make_reward):
    response = redeem(make_reward(points_cost=1500))

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "not_enough_points"
    assert error["message"] == "You need 1500 points for this reward; you have 1000."
    assert "reward_id" in error["fields"]
    assert balance(rt, member_id) == 1000 and redemption_rows(rt, member_id) == []


def test_points_still_pending_cannot_be_spent(rt, redeem, shop_id, member_id, make_reward):
    from datetime import timedelta

    from loyalty.core.types import utcnow
    from tests.support.rewards import give_points

    give_points(rt, shop_id, CUSTOMER, 400, kind="earn", available_at=utcnow() + timedelta(days=3))
    response = redeem(make_reward(points_cost=1200))

    assert response.status_code == 422
    assert response.get_json()["error"]["message"].endswith("you have 1000.")
    assert balance(rt, member_id) == 1400


def test_the_limit_per_member_holds(rt, redeem, member_id, make_reward):
    limited = make_reward(points_cost=100, limit_per_member=1)

    assert redeem(limited).status_code == 201
    second = redeem(limited)
    assert second.status_code == 422
    assert second.get_json()["error"]["code"] == "redemption_limit_reached"
    assert balance(rt, member_id) == 900


@pytest.mark.parametrize(
    "fields",
    [
        {"active": False},
        {"starts_at": "2999-01-01T00:00:00Z"},
        {"ends_at": "2001-01-01T00:00:00Z"},
    ],
)
def test_a_reward_that_is_off_or_out_of_its_dates_cannot_be_redeemed(
    rt, redeem, member_id, make_reward, fields
):
    response = redeem(make_reward(**fields))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "reward_unavailable"
    assert balance(rt, member_id) == 1000


def test_another_shops_reward_is_not_found(rt, redeem, member_id):
    from loyalty.core.models import Reward, Shop

    with rt.sessions.begin() as s:
        other = Shop(domain="other-shop.myshopify.com")
        s.add(other)
        s.flush()
        reward = Reward(shop_id=other.id, kind="free_shipping", title="Theirs", points_cost=1)
        s.add(reward)
        s.flush()
        theirs = str(reward.id)

    response = redeem(theirs)
    assert response.status_code == 404
    assert balance(rt, member_id) == 1000
