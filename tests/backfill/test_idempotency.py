"""The same order through the backfill and a live webhook counts once, in either order; a
re-run of the backfill, or one cut short by a failed bulk operation, doubles nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from loyalty.core.models import LedgerEntry, LedgerKind, Member, OrderRecord
from tests.backfill.helpers import KARI, ORDER_GUEST, ORDER_KARI
from tests.support.bodies import Line, order_body
from tests.support.jobs import drain
from tests.support.shops import SHOP


def paid_webhook(fake_shopify, app):
    """Shopify's orders/paid for Kari's order (same facts as the shop's), signed, then worked."""
    body = order_body(ORDER_KARI, [Line(1, "250.00")], customer_id=KARI)
    response = fake_shopify.send_webhook("orders/paid", SHOP, body)
    assert response.status_code == 200, response.text
    drain(app)


def order_entries(rt, order_id):
    with rt.sessions() as s:
        return s.execute(
            select(LedgerEntry.kind, LedgerEntry.points).where(LedgerEntry.order_id == order_id)
        ).all()


def order_records(rt):
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(OrderRecord))


@pytest.mark.embedded
def test_backfill_then_webhook_earns_once(backfill, api, rt, app, fake_shopify, shop_id):
    progress = backfill(award_points=True)
    assert progress["counts"]["orders_awarded"] == 1
    assert api("GET", f"/api/members/{KARI}").get_json()["points_balance"] == 250

    paid_webhook(fake_shopify, app)

    assert order_entries(rt, ORDER_KARI) == [(LedgerKind.EARN, 250)]
    member = api("GET", f"/api/members/{KARI}").get_json()
    assert member["points_balance"] == 250
    assert [(e["kind"], e["points"], e["order_id"]) for e in member["ledger"]] == [
        ("earn", 250, str(ORDER_KARI))
    ]
    assert order_records(rt) == 2


@pytest.mark.embedded
def test_webhook_then_backfill_earns_once(backfill, api, rt, app, fake_shopify, shop_id):
    paid_webhook(fake_shopify, app)
    before = api("GET", f"/api/members/{KARI}").get_json()
    assert before["points_balance"] == 100 + 250  # the live path: signup bonus, then the order

    progress = backfill(award_points=True, signup_bonus=True)

    assert progress["counts"]["orders_seen"] == 2
    assert progress["counts"]["orders_recorded"] == 1  # the guest's; Kari's was known
    assert progress["counts"]["orders_awarded"] == 0
    assert progress["counts"]["customers_enrolled"] == 1  # Ola; Kari was a member already
    assert order_entries(rt, ORDER_KARI) == [(LedgerKind.EARN, 250)]
    after = api("GET", f"/api/members/{KARI}").get_json()
    assert after["points_balance"] == 350
    assert len(after["ledger"]) == len(before["ledger"]) == 2


def test_a_rerun_changes_nothing(backfill, api, rt, shop_id):
    first = backfill(award_points=True, signup_bonus=True)
    with rt.sessions() as s:
        ledger = s.execute(select(LedgerEntry.source_key, LedgerEntry.points)).all()
        members = s.scalar(select(func.count()).select_from(Member))

    again = backfill(award_points=True, signup_bonus=True)

    assert again["status"] == "completed"
    assert again["run"] == first["run"] + 1
    assert again["counts"] == {
        "customers_seen": 2,
        "customers_enrolled": 0,
        "orders_seen": 2,
        "orders_recorded": 0,
        "orders_awarded": 0,
    }
    with rt.sessions() as s:
        assert sorted(s.execute(select(LedgerEntry.source_key, LedgerEntry.points)).all()) == (
            sorted(ledger)
        )
        assert s.scalar(select(func.count()).select_from(Member)) == members
    assert order_records(rt) == 2
    assert api("GET", f"/api/members/{KARI}").get_json()["points_balance"] == 100 + 250


def test_a_failed_bulk_operation_is_shown_and_its_partial_data_not_doubled(
    backfill, api, rt, fake_shop, shop_id
):
    # The customers query times out after its first line.
    fake_shop.fail_next_bulk_query("TIMEOUT", keep_lines=1)
    failed = backfill(award_points=True)

    assert failed["status"] == "failed"
    assert failed["phase"] == "customers"
    assert "FAILED" in failed["error"] and "TIMEOUT" in failed["error"]
    assert "partial data" in failed["error"]
    assert failed["finished_at"] is not None
    assert failed["counts"]["customers_seen"] == 1
    assert api("GET", "/api/backfill").get_json()["error"] == failed["error"]

    done = backfill(award_points=True)

    assert done["status"] == "completed" and done["error"] is None
    assert done["counts"]["customers_enrolled"] == 1  # the one the partial data missed
    assert done["counts"]["orders_recorded"] == 2
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 2
    assert order_entries(rt, ORDER_KARI) == [(LedgerKind.EARN, 250)]
    assert order_entries(rt, ORDER_GUEST) == []


def test_a_failed_orders_query_keeps_what_was_read_once(backfill, rt, fake_shop, shop_id):
    # The customers query succeeds; the orders query fails after its first line.
    fake_shop.fail_next_bulk_query("INTERNAL_SERVER_ERROR", keep_lines=1, skip=1)
    failed = backfill(award_points=True)

    assert failed["status"] == "failed" and failed["phase"] == "orders"
    assert "INTERNAL_SERVER_ERROR" in failed["error"]
    assert failed["counts"]["orders_recorded"] == 1
    assert order_records(rt) == 1

    done = backfill(award_points=True)

    assert done["counts"]["orders_recorded"] == 1  # only the one the partial data missed
    assert order_records(rt) == 2
    assert order_entries(rt, ORDER_KARI) == [(LedgerKind.EARN, 250)]
