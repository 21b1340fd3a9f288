"""The backfill end to end: POST /api/backfill → jobs → fake Shopify bulk queries → members."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loyalty.core.models import LedgerEntry, Member, OrderRecord
from tests.backfill.helpers import KARI, OLA, ORDER_GUEST, ORDER_KARI
from tests.support.jobs import drain, run_due_scheduled_jobs

pytestmark = pytest.mark.embedded


def test_existing_customers_join_and_past_orders_are_recorded(
    backfill, api, rt, fake_shop, shop_id
):
    progress = backfill()

    assert progress["status"] == "completed"
    assert progress["error"] is None
    assert progress["finished_at"] is not None
    assert progress["options"] == {"orders_since": 60, "award_points": False, "signup_bonus": False}
    assert progress["counts"] == {
        "customers_seen": 2,
        "customers_enrolled": 2,
        "orders_seen": 2,
        "orders_recorded": 2,
        "orders_awarded": 0,
    }
    kari = api("GET", f"/api/members/{KARI}").get_json()
    assert kari["points_balance"] == 0  # no signup bonus, past orders do not earn unless asked
    assert kari["ledger"] == []
    assert api("GET", f"/api/members/{OLA}").status_code == 200
    # Shopify has the member tag, as after customers/create (the balance sync ran).
    assert "klubb-member" in fake_shop.tags_of(f"gid://shopify/Customer/{KARI}")
    with rt.sessions() as s:
        orders = {o.order_id: o for o in s.scalars(select(OrderRecord))}
        assert set(orders) == {ORDER_KARI, ORDER_GUEST}
        assert orders[ORDER_KARI].paid and orders[ORDER_KARI].member_id is not None
        assert s.scalar(select(Member.email).where(Member.customer_id == KARI)) == (
            "kari@example.com"
        )
        assert s.scalars(select(LedgerEntry)).all() == []


def test_a_bulk_query_still_running_is_polled_again_later(api, app, rt, fake_shop, shop_id):
    fake_shop.bulk_running_reads = 2  # each query reads RUNNING twice before its file shows
    assert api("POST", "/api/backfill", json={}).status_code == 202

    drain(app)
    state = api("GET", "/api/backfill").get_json()
    assert (state["status"], state["phase"]) == ("running", "customers")
    polls = 0
    while state["status"] == "running":
        assert run_due_scheduled_jobs(rt) == 1  # the next look, 15 s later
        drain(app)
        polls += 1
        state = api("GET", "/api/backfill").get_json()
    assert state["status"] == "completed"
    assert polls == 4  # two more looks per phase
    assert state["counts"]["customers_enrolled"] == 2
    assert state["counts"]["orders_recorded"] == 2
