"""After the redemption: a crashed reservation is released once, codes get used or expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from jobs.redemptions import maintain_redemptions
from jobs.schedule import PERIODIC
from loyalty.core.models import Redemption
from loyalty.core.types import utcnow
from loyalty.rewards import discount_codes
from loyalty.rewards import redemptions as rewards
from loyalty.rewards.issuing import spec_for
from loyalty.rewards.redemption_states import expire_codes, mark_codes_used
from loyalty.rewards.redemption_view import get_redemption
from tests.support.rewards import CUSTOMER, balance, entries, redemption_rows
from tests.support.shops import SHOP


def age(rt, redemption_id: int, **delta: float) -> None:
    """Move a redemption's creation back in time."""
    with rt.sessions.begin() as s:
        s.execute(
            update(Redemption)
            .where(Redemption.id == redemption_id)
            .values(created_at=utcnow() - timedelta(**delta))
        )


def crashed_reservation(rt, shop_id: int, reward_id: str, minutes: float = 20) -> int:
    """A reservation whose request died before Shopify was asked (a crash)."""
    view, _ = rewards.reserve(rt.sessions, shop_id, CUSTOMER, int(reward_id), idempotency_key="k")
    age(rt, view.id, minutes=minutes)
    return view.id


def test_the_upkeep_job_is_scheduled_on_the_shopify_queue():
    assert [(p.queue, p.interval) for p in PERIODIC if p.func is maintain_redemptions] == [
        ("shopify", 300)
    ]


@pytest.mark.embedded
def test_a_stale_reservation_is_released_once_by_the_periodic_job(
    rt, proxy, shop_id, member_id, reward_id
):
    stale = crashed_reservation(rt, shop_id, reward_id)
    assert balance(rt, member_id) == 500

    assert maintain_redemptions()["returned"] == 1
    assert maintain_redemptions().get("returned", 0) == 0

    assert balance(rt, member_id) == 1000
    assert entries(rt, member_id) == [("adjust", 1000), ("redeem", -500), ("redeem_return", 500)]
    polled = proxy("GET", f"/proxy/api/redemptions/{stale}", customer_id=CUSTOMER).get_json()
    assert polled["state"] == "returned"


def test_a_fresh_reservation_is_left_alone(rt, shop_id, member_id, reward_id):
    crashed_reservation(rt, shop_id, reward_id, minutes=2)
    assert maintain_redemptions().get("returned", 0) == 0
    assert redemption_rows(rt, member_id)[0].state == "reserved"


def test_a_stale_reservation_whose_code_reached_shopify_is_issued(
    app, rt, shop_id, fake_shopify, member_id, reward_id
):
    """The crash came after Shopify created the code: the shopper keeps the code, not the points."""
    from runtime import shop_access_token, shopify_client

    stale = crashed_reservation(rt, shop_id, reward_id)
    view = get_redemption(rt.sessions, stale)
    discount_codes.create_code(shopify_client(), SHOP, shop_access_token(SHOP), spec_for(view))

    assert maintain_redemptions()["issued"] == 1
    row = redemption_rows(rt, member_id)[0]
    assert row.state == "issued" and row.discount_id.startswith("gid://shopify/DiscountCodeNode/")
    assert balance(rt, member_id) == 500


def test_a_stale_reservation_waits_while_shopify_is_down(
    rt, shop_id, fake_shopify, member_id, reward_id
):
    crashed_reservation(rt, shop_id, reward_id)
    for _ in range(10):
        fake_shopify.fail_next_graphql_request(status=500)

    assert maintain_redemptions()["waiting"] == 1
    assert redemption_rows(rt, member_id)[0].state == "reserved"


@pytest.mark.embedded
def test_a_code_used_in_an_order_is_marked_used(rt, proxy, redeem, shop_id, member_id, reward_id):
    body = redeem(reward_id).get_json()

    marked = mark_codes_used(rt.sessions, shop_id, 5001, [body["code"].lower(), "OTHER"])
    assert marked == 1
    assert mark_codes_used(rt.sessions, shop_id, 5001, [body["code"]]) == 0
    polled = proxy("GET", f"/proxy/api/redemptions/{body['id']}", customer_id=CUSTOMER).get_json()
    assert (polled["state"], polled["code"], polled["apply_url"]) == ("used", body["code"], None)
    assert polled["used_at"]
    assert redemption_rows(rt, member_id)[0].order_id == 5001
    assert balance(rt, member_id) == 500


def test_a_code_is_marked_used_only_in_its_own_shop(rt, redeem, shop_id, member_id, reward_id):
    body = redeem(reward_id).get_json()
    assert mark_codes_used(rt.sessions, shop_id + 1, 5001, [body["code"]]) == 0
    assert redemption_rows(rt, member_id)[0].state == "issued"


def test_issued_codes_past_their_end_expire_and_keep_their_points(rt, redeem, member_id, reward_id):
    body = redeem(reward_id).get_json()
    assert expire_codes(rt.sessions) == 0

    assert expire_codes(rt.sessions, now=utcnow() + timedelta(days=31)) == 1
    assert redemption_rows(rt, member_id)[0].state == "expired"
    assert balance(rt, member_id) == 500
    assert entries(rt, member_id)[-1] == ("redeem", -500)
    assert (
        mark_codes_used(rt.sessions, redemption_rows(rt, member_id)[0].shop_id, 1, [body["code"]])
        == 1
    )


def test_an_orders_paid_webhook_carrying_the_code_marks_the_redemption_used(
    app, rt, proxy, redeem, shop_id, member_id, reward_id, post_webhook
):
    """The real path: the code comes back in an order's ``discount_codes``."""
    from tests.support.bodies import Line, order_body
    from tests.support.jobs import drain

    body = redeem(reward_id).get_json()
    order = order_body(6001, [Line(1, "400.00")], customer_id=CUSTOMER)
    order["discount_codes"] = [{"code": body["code"], "amount": "50.00", "type": "fixed_amount"}]
    assert post_webhook("orders/paid", order, shop=SHOP).status_code == 200
    drain(app)
    [row] = redemption_rows(rt, member_id)
    assert (row.state, row.order_id) == ("used", 6001)
