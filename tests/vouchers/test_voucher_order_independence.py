"""Vouchers are a function of the final facts, whatever order the webhooks arrive in.

Hypothesis writes one or two rules (threshold, period: calendar month or year, or rolling days)
and a member's orders placed around month and year ends (midnight on 31 December in Oslo
included), paid or not, refunded in parts, cancelled; turns them into the webhooks Shopify would
send, shuffles them, delivers some twice (refunds before their orders too), and checks the
vouchers against a computation straight from the final facts, written here on its own:

- exactly the periods whose final spend reaches a rule's threshold have a qualified voucher;
- no (rule, period) has two vouchers (each is made once, whatever came first);
- a voucher left unqualified by refunds qualifies again, the same voucher, when spend in its
  period reaches the threshold again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from loyalty.core.models import Voucher
from tests.support.bodies import Line, order_body, refund_body
from tests.support.config import EMBEDDED
from tests.vouchers.story import CUSTOMER, rule, vouchers

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2027, 3, 1, tzinfo=UTC)
MOMENTS = [
    datetime(2026, 11, 30, 22, 59, tzinfo=UTC),  # 30 Nov, 23:59 in Oslo
    datetime(2026, 11, 30, 23, 0, tzinfo=UTC),  # 1 Dec, 00:00 in Oslo
    datetime(2026, 12, 15, 12, 0, tzinfo=UTC),
    datetime(2026, 12, 31, 22, 59, tzinfo=UTC),  # 31 Dec, 23:59 in Oslo
    datetime(2026, 12, 31, 23, 0, tzinfo=UTC),  # 1 Jan, 00:00 in Oslo
    datetime(2027, 1, 1, 12, 0, tzinfo=UTC),
    datetime(2027, 1, 20, 8, 0, tzinfo=UTC),
    datetime(2027, 2, 3, 9, 0, tzinfo=UTC),
]


@dataclass(frozen=True)
class Order:
    order_id: int
    placed: datetime
    amount: Decimal
    paid: bool
    cancelled: bool
    refunded: Decimal

    def spend(self) -> Decimal:
        return Decimal(0) if self.cancelled else self.amount - self.refunded


@dataclass(frozen=True)
class Story:
    rules: list[dict[str, Any]]
    orders: list[Order]
    deliveries: list[tuple[str, dict[str, Any]]]
    repeats: int


def _body(order: Order, status: str, minute: int, cancelled: bool = False) -> dict[str, Any]:
    body = order_body(
        order.order_id,
        [Line(order.order_id * 10, str(order.amount))],
        customer_id=CUSTOMER,
        financial_status=status,
        cancelled=cancelled,
        updated_at=(order.placed + timedelta(minutes=minute)).isoformat(),
    )
    body["created_at"] = body["processed_at"] = order.placed.isoformat()
    return body


@st.composite
def stories(draw: st.DrawFn) -> Story:
    rules = []
    for _ in range(draw(st.integers(1, 2))):
        period = draw(st.sampled_from(["calendar_month", "calendar_year", "rolling_days"]))
        rules.append(
            {
                "threshold": str(draw(st.sampled_from([100, 500, 800, 1500]))),
                "period": period,
                "days": draw(st.sampled_from([1, 10, 45])) if period == "rolling_days" else None,
            }
        )
    orders: list[Order] = []
    sent: list[tuple[str, dict[str, Any]]] = []
    for k in range(draw(st.integers(1, 5))):
        order_id = 6000 + k
        amount = Decimal(draw(st.integers(1, 12)) * 100)
        paid = draw(st.sampled_from([True] * 5 + [False]))
        cancelled = draw(st.sampled_from([False] * 5 + [True]))
        refunded = Decimal(0)
        order = Order(order_id, draw(st.sampled_from(MOMENTS)), amount, paid, cancelled, refunded)
        sent.append(("orders/create", _body(order, "paid" if paid else "pending", 0)))
        if paid:
            sent.append(
                (draw(st.sampled_from(["orders/paid", "orders/updated"])), _body(order, "paid", 1))
            )
            for n in range(draw(st.integers(0, 2))):
                part = Decimal(draw(st.integers(1, 4)) * 100)
                if refunded + part <= amount:
                    refunded += part
                    line = Line(order_id * 10, str(part))
                    sent.append(
                        ("refunds/create", refund_body(order_id * 10 + n, order_id, [(line, 1)]))
                    )
        if cancelled:
            sent.append(
                ("orders/cancelled", _body(order, "refunded" if paid else "voided", 5, True))
            )
        orders.append(Order(order_id, order.placed, amount, paid, cancelled, refunded))
    twice = draw(st.lists(st.sampled_from(sent), max_size=4))
    deliveries = draw(st.permutations(sent + twice))
    if draw(st.sampled_from([False, False, True])):
        deliveries.sort(key=lambda delivery: delivery[0] != "refunds/create")
    return Story(rules, orders, deliveries, len(twice))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=OSLO).astimezone(UTC)


def expected(story: Story, index: int) -> dict[str, Decimal]:
    """``{period key: final spend}`` of every period of rule ``index`` holding a paid order."""
    spec = story.rules[index]
    paid = sorted((o for o in story.orders if o.paid), key=lambda o: o.placed)
    found: dict[str, Decimal] = {}
    if spec["period"] == "rolling_days":
        end = None
        key = ""
        for o in paid:
            if end is None or o.placed >= end:
                day = o.placed.astimezone(OSLO).date()
                key, end = f"d{day.isoformat()}", _midnight(day + timedelta(days=spec["days"]))
            found[key] = found.get(key, Decimal(0)) + o.spend()
        return found
    for o in paid:
        local = o.placed.astimezone(OSLO)
        key = f"{local.year:04d}" if spec["period"] == "calendar_year" else f"{local:%Y-%m}"
        found[key] = found.get(key, Decimal(0)) + o.spend()
    return found


def _label(story: Story, qualified: int) -> None:
    topics = [topic for topic, _ in story.deliveries]
    if topics[0] == "refunds/create":
        event("a refund first")
    if story.repeats:
        event("some deliveries twice")
    event(f"qualified vouchers: {min(qualified, 3)}")


@pytest.mark.postgres
@pytest.mark.skipif(EMBEDDED, reason="the property runs on PostgreSQL")
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(story=stories())
def test_vouchers_depend_only_on_the_final_facts(new_klubb, story):
    klubb = new_klubb()
    note(f"rules {story.rules}")
    note(f"orders {story.orders}")
    note(f"deliveries {[(t, b.get('id'), b.get('order_id')) for t, b in story.deliveries]}")
    rule_ids = [
        rule(klubb, spec["threshold"], period=spec["period"], days=spec["days"])
        for spec in story.rules
    ]
    for topic, body in story.deliveries:
        klubb.deliver(topic, body, now=NOW)

    held = vouchers(klubb)
    with klubb.sessions() as s:
        rows = s.scalar(
            select(func.count()).select_from(Voucher).where(Voucher.shop_id == klubb.shop_id)
        )
    assert rows == len({(v.rule_id, v.period_key) for v in held})  # each made once

    qualified = 0
    standing: set[tuple[int, str]] = set()  # periods the final facts have
    for index, rule_id in enumerate(rule_ids):
        threshold = Decimal(story.rules[index]["threshold"])
        spends = expected(story, index)
        mine = {v.period_key: v for v in held if v.rule_id == rule_id}
        want = {key for key, spent in spends.items() if spent >= threshold}
        assert {key for key, v in mine.items() if v.qualified} == want
        assert set(mine) >= want  # rows beyond: periods that qualified on the way, now not
        for key, voucher in mine.items():
            assert voucher.spend == spends.get(key, Decimal(0))
        qualified += len(want)
        standing |= {(rule_id, key) for key in spends}
    _label(story, qualified)

    # Spend that reaches the threshold again brings back the same voucher, not a new one. The
    # top-up is placed at the moment of a paid order already in the period, so no rolling
    # period moves (an earlier order would start its period earlier: a different period). A
    # voucher of a rolling period that an earlier order's late arrival dissolved has no period
    # to come back in.
    lapsed = [v for v in held if not v.qualified and (v.rule_id, v.period_key) in standing]
    for n, voucher in enumerate(lapsed):
        placed = min(
            o.placed
            for o in story.orders
            if o.paid and voucher.period_start <= o.placed < voucher.period_end
        )
        top_up = Order(7000 + n, placed, voucher.threshold, True, False, Decimal(0))
        klubb.deliver("orders/paid", _body(top_up, "paid", 0), now=NOW)
    if lapsed:
        event("a lapsed voucher came back")
        after = {(v.rule_id, v.period_key): v for v in vouchers(klubb)}
        for voucher in held:
            assert after[(voucher.rule_id, voucher.period_key)].id == voucher.id
        assert all(after[(v.rule_id, v.period_key)].qualified for v in lapsed)
