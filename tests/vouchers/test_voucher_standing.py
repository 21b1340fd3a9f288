"""Which vouchers a member's orders call for, in-process (no Shopify): once per rule, member
and period; refund-aware; in the shop's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.vouchers.story import order, periods, refund, rule, spend, vouchers


def test_a_period_whose_spend_reaches_the_threshold_gets_one_voucher(klubb):
    rule(klubb, "1000")
    klubb.order(order(1, "600", datetime(2026, 3, 1, tzinfo=UTC)))
    assert periods(klubb) == {}
    klubb.order(order(2, "400", datetime(2026, 5, 1, tzinfo=UTC)))
    klubb.order(order(2, "400", datetime(2026, 5, 1, tzinfo=UTC)))  # delivered twice
    klubb.order(order(3, "900", datetime(2026, 6, 1, tzinfo=UTC)))
    assert periods(klubb) == {"2026": True}
    (voucher,) = vouchers(klubb)
    assert (voucher.state, voucher.amount, voucher.spend) == ("pending", 250, 1900)


def test_refunds_below_the_threshold_unqualify_and_crossing_again_requalifies_the_same(klubb):
    rule(klubb, "1000", period="calendar_month")
    klubb.order(order(1, "1200", datetime(2026, 3, 3, tzinfo=UTC)))
    first = vouchers(klubb)[0].id
    klubb.refund(refund(11, 1, "300"))
    assert periods(klubb) == {"2026-03": False}
    klubb.order(order(2, "100", datetime(2026, 3, 20, tzinfo=UTC)))
    assert periods(klubb) == {"2026-03": True}
    assert [v.id for v in vouchers(klubb)] == [first]


def test_a_refund_in_the_next_period_counts_against_the_orders_period(klubb):
    rule(klubb, "1000", period="calendar_month")
    klubb.order(order(1, "1000", datetime(2026, 1, 31, 12, tzinfo=UTC)))
    klubb.order(order(2, "1000", datetime(2026, 2, 2, tzinfo=UTC)))
    klubb.refund(refund(11, 1, "500"), now=datetime(2026, 2, 3, tzinfo=UTC))
    assert periods(klubb) == {"2026-01": False, "2026-02": True}


def test_a_refund_arriving_before_its_order_never_lets_the_period_qualify(klubb):
    rule(klubb, "1000")
    klubb.refund(refund(11, 1, "500"))
    klubb.order(order(1, "1200", datetime(2026, 3, 3, tzinfo=UTC)))
    assert periods(klubb) == {}


def test_the_year_ends_at_midnight_in_the_shops_time_zone(klubb):
    """23:30 UTC on 31 December is already the new year in Oslo (UTC+1)."""
    rule(klubb, "1000")
    klubb.order(order(1, "600", datetime(2026, 12, 31, 22, 59, tzinfo=UTC)))
    klubb.order(order(2, "600", datetime(2026, 12, 31, 23, 0, tzinfo=UTC)))
    klubb.order(order(3, "500", datetime(2027, 1, 1, 1, tzinfo=UTC)))
    assert periods(klubb) == {"2027": True}
    assert spend(klubb, "2027") == 1100


def test_rolling_periods_start_on_the_day_of_a_paid_order(klubb):
    rule(klubb, "1000", period="rolling_days", days=30)
    klubb.order(order(1, "600", datetime(2026, 3, 1, 10, tzinfo=UTC)))
    klubb.order(order(2, "600", datetime(2026, 4, 5, tzinfo=UTC)))  # a new period
    klubb.order(order(3, "400", datetime(2026, 4, 20, tzinfo=UTC)))
    assert periods(klubb) == {"d2026-04-05": True}


def test_cancelled_test_and_unpaid_orders_count_nothing(klubb):
    rule(klubb, "1000")
    when = datetime(2026, 3, 3, tzinfo=UTC)
    klubb.order(order(1, "2000", when, status="pending"))
    klubb.order(order(2, "2000", when, cancelled=True, status="refunded"))
    body = order(3, "2000", when)
    body["test"] = True
    klubb.order(body)
    assert periods(klubb) == {}


def test_a_period_over_before_the_rule_was_made_gives_nothing(klubb):
    rule(klubb, "1000", period="calendar_month", made=datetime(2026, 4, 1, tzinfo=UTC))
    klubb.order(order(1, "1500", datetime(2026, 3, 3, tzinfo=UTC)))
    klubb.order(order(2, "1500", datetime(2026, 4, 3, tzinfo=UTC)))
    assert periods(klubb) == {"2026-04": True}


@pytest.mark.parametrize("kind", ["gift_card", "discount_code"])
def test_each_rule_issues_its_own_voucher(klubb, kind):
    rule(klubb, "1000", kind=kind)
    rule(klubb, "500", kind="discount_code", amount="50")
    klubb.order(order(1, "1500", datetime(2026, 3, 3, tzinfo=UTC)))
    assert sorted((v.kind, int(v.amount)) for v in vouchers(klubb)) == sorted(
        [(kind, 250), ("discount_code", 50)]
    )
    gift = [v for v in vouchers(klubb) if v.kind == "gift_card"]
    assert all(v.code and v.code.isalnum() and 8 <= len(v.code) <= 20 for v in gift)


def test_a_refund_in_flight_when_the_period_ends_still_counts_against_it(klubb):
    """Refunded at 23:59 on 31 January in Oslo, delivered on 1 February: January's voucher
    loses its spend, and February's orders cannot bring it back."""
    rule(klubb, "1000", period="calendar_month")
    klubb.order(order(1, "1200", datetime(2026, 1, 31, 22, 0, tzinfo=UTC)))
    body = refund(11, 1, "300")
    body["created_at"] = datetime(2026, 1, 31, 22, 59, tzinfo=UTC).isoformat()
    klubb.refund(body, now=datetime(2026, 2, 1, 0, 30, tzinfo=UTC))
    klubb.order(order(2, "1000", datetime(2026, 2, 1, 1, 0, tzinfo=UTC)))
    assert periods(klubb) == {"2026-01": False, "2026-02": True}
    assert spend(klubb, "2026-01") == 900


def test_a_threshold_met_exactly_qualifies(klubb):
    rule(klubb, "1000")
    klubb.order(order(1, "1000", datetime(2026, 3, 3, tzinfo=UTC)))
    assert periods(klubb) == {"2026": True}
