"""A balance change → the coalesced sync job → the fake's customer metafield equals the balance."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jobs import engine as engine_jobs
from loyalty.core.models import Member
from tests.support.bodies import Line, customer_body, order_body, refund_body
from tests.support.jobs import drain
from tests.support.shops import SHOP
from tests.worker.helpers import CUSTOMER

GID = f"gid://shopify/Customer/{CUSTOMER}"


def shopify_points(fake_shop):
    field = fake_shop.metafield(GID, "$app:loyalty", "points")
    return None if field is None else (field.type, field.value)


def balance(rt):
    with rt.sessions() as s:
        return s.scalar(select(Member.points_balance).where(Member.customer_id == CUSTOMER))


@pytest.mark.embedded
def test_enrolment_orders_and_refunds_keep_the_metafield_equal_to_the_balance(
    deliver, fake_shop, rt
):
    deliver("customers/create", customer_body(CUSTOMER))
    assert shopify_points(fake_shop) == ("number_integer", "100")
    assert "klubb-member" in fake_shop.tags_of(GID)
    lines = [Line(1, "300.00"), Line(2, "200.00")]
    deliver("orders/paid", order_body(6001, lines, customer_id=CUSTOMER))
    assert shopify_points(fake_shop) == ("number_integer", "600") and balance(rt) == 600
    deliver("refunds/create", refund_body(9101, 6001, [(lines[1], 1)]))
    assert (
        shopify_points(fake_shop)
        == ("number_integer", str(balance(rt)))
        == (
            "number_integer",
            "400",
        )
    )


def test_many_changes_coalesce_into_one_waiting_job(deliver, fake_shop, rt, app, fake_shopify):
    deliver("customers/create", customer_body(CUSTOMER))
    for n in range(3):
        body = order_body(6100 + n, [Line(10 + n, "10.00")], customer_id=CUSTOMER)
        deliver("orders/paid", body, drain_jobs=False)
    drain(app, ["webhooks"])  # the three orders' jobs; each asks for a sync
    waiting = [j for j in rt.queue("shopify").get_job_ids() if j.startswith("balance-")]
    assert len(waiting) == 1
    calls = len(fake_shopify.graphql_requests)
    drain(app)
    assert len(fake_shopify.graphql_requests) - calls == 2  # metafieldsSet + tagsAdd, once
    assert shopify_points(fake_shop) == ("number_integer", "130")


def test_an_unchanged_balance_costs_no_call_to_shopify(deliver, fake_shop, rt, app, fake_shopify):
    deliver("customers/create", customer_body(CUSTOMER))
    with rt.sessions() as s:
        member_id = s.scalar(select(Member.id).where(Member.customer_id == CUSTOMER))
    calls = len(fake_shopify.graphql_requests)
    assert engine_jobs.sync_balance(member_id) == "unchanged"
    assert len(fake_shopify.graphql_requests) == calls


def test_throttled_shopify_is_waited_out_and_the_balance_still_lands(
    deliver, fake_shop, fake_shopify, app
):
    deliver("customers/create", customer_body(CUSTOMER), drain_jobs=False)
    drain(app, ["webhooks"])
    fake_shopify.throttle(SHOP, available=0)
    calls = len(fake_shopify.graphql_requests)
    drain(app)
    answers = fake_shopify.graphql_requests[calls:]
    assert answers[0].get("throttled")  # the first call was throttled, then retried
    assert shopify_points(fake_shop) == ("number_integer", "100")


def test_a_staff_adjustment_reaches_shopify_too(deliver, fake_shop, rt, app, client, fake_shopify):
    deliver("customers/create", customer_body(CUSTOMER))
    headers = {"Authorization": f"Bearer {fake_shopify.session_token(SHOP)}"}
    response = client.post(
        f"/api/members/{CUSTOMER}/adjustments",
        json={"points": 25, "reason": "Birthday gift"},
        headers=headers,
    )
    assert response.status_code == 201 and "member_id" not in response.get_json()
    drain(app)
    assert shopify_points(fake_shop) == ("number_integer", "125") and balance(rt) == 125
