"""Daily rollups follow the orders' facts on the shop's local day, idempotently."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tests.support.bodies import Line, at, order_body, refund_body

pytestmark = pytest.mark.embedded

SHOES = Line(11, "100.00")
SOCKS = Line(12, "25.00", quantity=2)
# The bodies' orders are placed at 12:00 UTC on 2 March 2026: the same day in Oslo.
ORDER_DAY = date(2026, 3, 2)


def _orders(klubb, day=ORDER_DAY):
    r = klubb.rollups().get(day)
    return (
        None if r is None else (r.member_orders, r.member_revenue, r.guest_orders, r.guest_revenue)
    )


def test_member_and_guest_orders_are_counted_apart(klubb):
    klubb.order(order_body(1, [SHOES, SOCKS]))
    klubb.order(order_body(2, [SHOES], customer_id=None))
    klubb.order(order_body(3, [SOCKS], customer_id=None, financial_status="pending"))
    klubb.order(order_body(4, [SOCKS], test=True))
    assert _orders(klubb) == (1, Decimal(150), 1, Decimal(100))


def test_the_day_is_the_shops_local_day(new_klubb):
    klubb = new_klubb(timezone="America/New_York")
    body = order_body(1, [SHOES])
    body["processed_at"] = "2026-03-03T02:30:00+00:00"  # still 2 March in New York
    klubb.order(body)
    assert _orders(klubb, date(2026, 3, 2)) == (1, Decimal(100), 0, Decimal(0))
    assert _orders(klubb, date(2026, 3, 3)) is None


def test_refunds_lower_revenue_and_cancellation_removes_the_order(klubb):
    klubb.order(order_body(1, [SHOES, SOCKS], updated_at=at(1)))
    klubb.refund(refund_body(501, 1, [(SOCKS, 1)]))
    assert _orders(klubb) == (1, Decimal(125), 0, Decimal(0))
    klubb.order(order_body(1, [SHOES, SOCKS], cancelled=True, updated_at=at(2)))
    assert _orders(klubb) == (0, Decimal(0), 0, Decimal(0))


def test_replays_and_late_arrivals_do_not_count_twice(klubb):
    klubb.refund(refund_body(501, 1, [(SOCKS, 1)]))
    for _ in range(3):
        klubb.order(order_body(1, [SHOES, SOCKS], financial_status="pending", updated_at=at(0)))
        klubb.order(order_body(1, [SHOES, SOCKS], updated_at=at(1)))
        klubb.refund(refund_body(501, 1, [(SOCKS, 1)]))
    assert _orders(klubb) == (1, Decimal(125), 0, Decimal(0))


def test_points_and_new_members_count_on_the_day_they_happen(klubb):
    now = datetime(2026, 3, 9, 22, 30, tzinfo=UTC)  # 23:30 in Oslo, still 9 March
    klubb.order(order_body(1, [SHOES, SOCKS]), now=now)
    klubb.refund(refund_body(501, 1, [(SOCKS, 2)]), now=now)
    day = klubb.rollups()[date(2026, 3, 9)]
    assert (day.new_members, day.points_issued) == (1, 100 + 150 - 50)
