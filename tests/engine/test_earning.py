"""DESIGN.md's earning rules: which orders earn, how much, and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from loyalty.core.models import LedgerEntry, Member, MemberStatus, ProgramSettings
from loyalty.points.ledger import available_balance
from tests.support.bodies import Line, at, order_body

pytestmark = pytest.mark.embedded


def earned(klubb, customer_id=7001):
    """Points from orders (the signup bonus left out)."""
    return sum(p for kind, p in klubb.entries(customer_id) if kind != "bonus")


def test_a_paid_order_earns_one_point_per_whole_unit(klubb):
    klubb.order(order_body(1, [Line(11, "199.90"), Line(12, "50.05", quantity=2)]))
    assert klubb.entries(7001) == [("bonus", 100), ("earn", 300)]
    assert klubb.record(1).points_owed == 300
    assert klubb.drift() == []


@pytest.mark.parametrize(("rate", "points"), [("2.5", 499), ("0.1", 19), ("0.0001", 0)])
def test_the_shops_rate_applies_and_the_result_is_floored(new_klubb, rate, points):
    klubb = new_klubb(earn_rate=Decimal(rate))
    klubb.order(order_body(1, [Line(11, "199.90")]))
    assert earned(klubb) == points


def test_discounts_lower_the_subtotal_and_gift_cards_earn_nothing(klubb):
    lines = [
        Line(11, "100.00", discount="10.00"),
        Line(12, "50.00", quantity=2, gift_card=True, discount="5.00"),
    ]
    body = order_body(1, lines)
    assert body["subtotal_price"] == "185.00"
    klubb.order(body)
    assert earned(klubb) == 90
    assert klubb.record(1).paid_subtotal == Decimal(90)


@pytest.mark.parametrize(
    "status", ["pending", "authorized", "partially_paid", "voided", "expired", None]
)
def test_orders_not_yet_paid_earn_nothing(klubb, status):
    klubb.order(order_body(1, [Line(11, "80.00")], financial_status=status))
    assert earned(klubb) == 0
    assert klubb.balance(7001) == 100  # the customer is enrolled all the same


def test_paid_through_orders_updated_when_orders_paid_never_came(klubb):
    klubb.order(order_body(1, [Line(11, "80.00")], financial_status="pending"))
    klubb.order(order_body(1, [Line(11, "80.00")], financial_status="paid", updated_at=at(5)))
    assert earned(klubb) == 80


@pytest.mark.parametrize("status", ["partially_refunded", "refunded"])
def test_an_order_first_seen_refunded_was_paid(klubb, status):
    """The refunds themselves claw back; the status only says the order was paid."""
    klubb.order(order_body(1, [Line(11, "80.00")], financial_status=status))
    assert earned(klubb) == 80


def test_a_stale_body_cannot_unpay_or_shrink_an_order(klubb):
    klubb.order(order_body(1, [Line(11, "80.00"), Line(12, "20.00")], updated_at=at(10)))
    klubb.order(order_body(1, [Line(11, "80.00")], financial_status="pending", updated_at=at(1)))
    assert earned(klubb) == 100


def test_an_edit_through_orders_updated_changes_what_the_order_earns(klubb):
    klubb.order(order_body(1, [Line(11, "80.00")], updated_at=at(1)))
    klubb.order(order_body(1, [Line(11, "80.00"), Line(12, "15.00")], updated_at=at(2)))
    assert klubb.entries(7001) == [("bonus", 100), ("earn", 80), ("earn", 15)]


def test_test_orders_earn_nothing(klubb):
    klubb.order(order_body(1, [Line(11, "80.00")], test=True))
    assert earned(klubb) == 0


def test_guest_orders_are_recorded_but_earn_nothing(klubb):
    klubb.order(order_body(1, [Line(11, "80.00")], customer_id=None))
    record = klubb.record(1)
    assert (record.customer_id, record.member_id, record.points_owed) == (None, None, 0)
    assert record.paid_subtotal == Decimal(80)
    assert klubb.entries() == []


def test_pos_orders_earn_like_online_orders(klubb):
    klubb.order(order_body(1, [Line(11, "80.00")], source_name="pos", location_id=655441491))
    assert earned(klubb) == 80
    record = klubb.record(1)
    assert (record.source_name, record.location_id) == ("pos", 655441491)


def test_cancelling_a_paid_order_takes_its_points_back(klubb):
    klubb.order(order_body(1, [Line(11, "80.00")], updated_at=at(1)))
    klubb.order(order_body(1, [Line(11, "80.00")], cancelled=True, updated_at=at(2)))
    assert klubb.entries(7001) == [("bonus", 100), ("earn", 80), ("cancel", -80)]
    assert klubb.balance(7001) == 100


def test_a_cancellation_sticks_even_if_an_older_body_arrives_later(klubb):
    klubb.order(order_body(1, [Line(11, "80.00")], cancelled=True, updated_at=at(2)))
    klubb.order(order_body(1, [Line(11, "80.00")], updated_at=at(1)))
    assert earned(klubb) == 0


def _restrict(klubb, customer_id, status):
    with klubb.sessions.begin() as s:
        s.execute(update(Member).where(Member.customer_id == customer_id).values(status=status))


def test_restricted_members_earn_nothing_even_after_the_restriction_is_lifted(klubb):
    klubb.join(7001)
    _restrict(klubb, 7001, MemberStatus.RESTRICTED)
    klubb.order(order_body(1, [Line(11, "80.00")], updated_at=at(1)))
    assert earned(klubb) == 0
    assert klubb.record(1).earn_blocked
    _restrict(klubb, 7001, MemberStatus.ACTIVE)
    klubb.order(order_body(1, [Line(11, "80.00")], updated_at=at(2)))
    assert earned(klubb) == 0
    klubb.order(order_body(2, [Line(21, "5.00")]))  # a new order after lifting earns
    assert earned(klubb) == 5


def test_a_member_restricted_after_earning_keeps_claw_backs_but_earns_no_more(klubb):
    klubb.order(order_body(1, [Line(11, "80.00")], updated_at=at(1)))
    _restrict(klubb, 7001, MemberStatus.RESTRICTED)
    klubb.order(order_body(1, [Line(11, "80.00"), Line(12, "9.00")], updated_at=at(2)))
    assert earned(klubb) == 80
    klubb.order(order_body(1, [Line(11, "80.00")], cancelled=True, updated_at=at(3)))
    assert earned(klubb) == 0


@pytest.mark.parametrize(
    ("currency", "amount", "rate", "points"),
    [
        ("JPY", "12345", "1", 12345),
        ("JPY", "12345", "0.01", 123),
        ("KWD", "12.345", "1", 12),
        ("KWD", "12.345", "10", 123),
    ],
)
def test_currencies_with_zero_and_three_decimals(new_klubb, currency, amount, rate, points):
    klubb = new_klubb(currency=currency, earn_rate=Decimal(rate))
    klubb.order(order_body(1, [Line(11, amount)], currency=currency))
    assert earned(klubb) == points
    assert klubb.record(1).paid_subtotal == Decimal(amount)


def test_amounts_with_many_decimals_are_rounded_to_the_currency_first(klubb):
    klubb.order(order_body(1, [Line(11, "19.999999")], subtotal="19.999999"))
    assert klubb.record(1).paid_subtotal == Decimal("20.00")
    assert earned(klubb) == 20


def _without(body, *names):
    for name in names:
        body.pop(name, None)
    return body


def test_a_missing_subtotal_set_falls_back_to_the_plain_amount(klubb):
    klubb.order(_without(order_body(1, [Line(11, "80.00")]), "subtotal_price_set"))
    assert earned(klubb) == 80


def test_a_missing_subtotal_falls_back_to_the_lines(klubb):
    body = order_body(1, [Line(11, "80.00", discount="5"), Line(12, "10.00", gift_card=True)])
    klubb.order(_without(body, "subtotal_price_set", "subtotal_price"))
    assert earned(klubb) == 75


@pytest.mark.parametrize(
    "breakage",
    [
        lambda b: _without(b, "subtotal_price_set", "subtotal_price", "line_items"),
        lambda b: _without(b, "subtotal_price_set", "total_price_set", "total_price", "currency"),
        lambda b: b.update(subtotal_price="abc", subtotal_price_set={"shop_money": None}),
        lambda b: b.update(line_items=[{"gift_card": True, "price": "x", "quantity": "2"}]),
        lambda b: b.update(line_items=None, customer={"id": None}, updated_at="yesterday"),
        lambda b: b.update(subtotal_price="1e30", subtotal_price_set=None),
    ],
)
def test_broken_money_fields_never_crash_and_earn_only_what_can_be_read(klubb, breakage):
    body = order_body(1, [Line(11, "80.00")])
    breakage(body)
    klubb.order(body)
    assert earned(klubb) in (0, 80)
    assert klubb.drift() == []


def test_unreadable_money_in_a_later_body_keeps_what_was_known(klubb):
    klubb.order(order_body(1, [Line(11, "80.00")], updated_at=at(1)))
    later = order_body(1, [Line(11, "80.00")], updated_at=at(2))
    later.update(subtotal_price="n/a", subtotal_price_set=None, line_items=[])
    klubb.order(later)
    assert earned(klubb) == 80


def test_a_pending_period_holds_earned_points(new_klubb):
    klubb = new_klubb(pending_days=14)
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    klubb.order(order_body(1, [Line(11, "80.00")]), now=now)
    member = klubb.member(7001)
    with klubb.sessions() as s:
        entry = s.query(LedgerEntry).filter_by(kind="earn").one()
        assert entry.available_at == now + timedelta(days=14)
        assert available_balance(s, member.id, now) == 100
    assert member.last_activity_at == now


def test_a_change_of_rate_is_not_retroactive(klubb):
    klubb.order(order_body(1, [Line(11, "80.00"), Line(12, "20.00")], updated_at=at(1)))
    with klubb.sessions.begin() as s:
        s.get(ProgramSettings, klubb.shop_id).earn_rate = Decimal(3)
    klubb.order(order_body(1, [Line(11, "80.00")], updated_at=at(2)))
    assert earned(klubb) == 80
