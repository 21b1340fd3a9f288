"""A double click redeems once; racing redemptions never overdraw (invariant 5, PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from loyalty.core.errors import LoyaltyError
from loyalty.rewards import redemptions as rewards
from tests.support.rewards import CUSTOMER, balance, entries, redemption_rows, signed_query
from tests.support.shops import SHOP


def test_a_double_click_with_the_same_key_redeems_once(
    rt, redeem, fake_shopify, member_id, reward_id
):
    first = redeem(reward_id, key="click-1")
    again = redeem(reward_id, key="click-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_data() == first.get_data()
    assert balance(rt, member_id) == 500
    assert entries(rt, member_id) == [("adjust", 1000), ("redeem", -500)]
    assert len(redemption_rows(rt, member_id)) == 1
    assert len(fake_shopify.shop(SHOP).discounts) == 1


def test_the_same_key_redeems_once_even_when_redis_forgot_it(
    rt, redeem, fake_shopify, member_id, reward_id
):
    """The database's unique (shop, member, key) is the second line behind Redis."""
    first = redeem(reward_id, key="click-1").get_json()
    rt.redis.flushdb()

    again = redeem(reward_id, key="click-1")
    assert again.status_code == 200
    assert (again.get_json()["id"], again.get_json()["code"]) == (first["id"], first["code"])
    assert balance(rt, member_id) == 500
    assert len(fake_shopify.shop(SHOP).discounts) == 1


def test_a_new_key_is_a_new_redemption(rt, redeem, member_id, reward_id):
    assert redeem(reward_id, key="a").status_code == 201
    assert redeem(reward_id, key="b").status_code == 201
    assert balance(rt, member_id) == 0


def test_two_keys_racing_on_the_last_points_one_wins(rt, live_app, member_id, make_reward):
    """Eight clicks with different keys over HTTP, all at once, for 1000 points: one wins."""
    expensive = make_reward(points_cost=1000)
    start = threading.Barrier(8)

    def click(_: int) -> requests.Response:
        start.wait()
        return requests.post(
            f"{live_app}/proxy/api/redemptions",
            params=signed_query(CUSTOMER),
            json={"reward_id": expensive},
            headers={"Idempotency-Key": str(uuid.uuid4())},
            timeout=30,
        )

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(r.status_code for r in pool.map(click, range(8)))

    assert statuses == [201] + [422] * 7
    assert balance(rt, member_id) == 0
    assert entries(rt, member_id) == [("adjust", 1000), ("redeem", -1000)]


def test_concurrent_reservations_never_overdraw(rt, shop_id, member_id, make_reward):
    """Twenty threads reserve 300 points each from 1000: exactly three succeed."""
    reward = int(make_reward(points_cost=300))
    start = threading.Barrier(20)

    def reserve(n: int) -> str:
        start.wait()
        try:
            rewards.reserve(rt.sessions, shop_id, CUSTOMER, reward, idempotency_key=f"k{n}")
        except LoyaltyError as err:
            return err.code
        return "reserved"

    with ThreadPoolExecutor(20) as pool:
        outcomes = sorted(pool.map(reserve, range(20)))

    assert outcomes.count("reserved") == 3
    assert set(outcomes) == {"reserved", "not_enough_points"}
    assert balance(rt, member_id) == 100
    assert len(redemption_rows(rt, member_id)) == 3


def test_concurrent_clicks_with_one_key_reserve_once(rt, shop_id, member_id, reward_id):
    """Even without Redis's guard, one key spends once (the member's row orders them)."""
    start = threading.Barrier(10)

    def reserve(_: int) -> tuple[int, bool]:
        start.wait()
        view, created = rewards.reserve(
            rt.sessions, shop_id, CUSTOMER, int(reward_id), idempotency_key="same"
        )
        return view.id, created

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(reserve, range(10)))

    assert len({rid for rid, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert balance(rt, member_id) == 500


def test_a_key_reused_for_another_reward_is_refused(rt, shop_id, member_id, make_reward):
    from loyalty.rewards.redemptions import KeyReused

    first, second = int(make_reward(points_cost=100)), int(make_reward(points_cost=200))
    rewards.reserve(rt.sessions, shop_id, CUSTOMER, first, idempotency_key="k")
    with pytest.raises(KeyReused) as raised:
        rewards.reserve(rt.sessions, shop_id, CUSTOMER, second, idempotency_key="k")
    assert "Idempotency-Key" in raised.value.fields
    assert balance(rt, member_id) == 900
