"""customer_day_counts follows every change of a customer's days, and sums periods exactly.

Random histories of ``add_customer_orders`` calls (several customers, days in any order,
late days in the middle of a history, cancellations that empty a day, both flags, gaps longer
than the cap) must leave the table as ``rebuild_customer_counts`` computes it from
``customer_day_orders``, and give every period's customers, single-order customers and orders
as a brute-force count of the same calls does.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from loyalty.analytics.customer_counts import (
    CAP,
    MAX_DAYS,
    PeriodCustomers,
    Series,
    from_histogram,
    period_customers,
    trimmed,
    with_steps,
)
from loyalty.analytics.customer_counts_rebuild import rebuild_customer_counts
from loyalty.analytics.customer_days import add_customer_orders
from loyalty.core.models import CustomerDayCounts

pytestmark = pytest.mark.embedded

BASE = date(2026, 1, 5)
# Keys as the keyed hash makes them (63 bits), and two that fold to the same advisory lock.
KEYS = (1, 2**62 + 12345, 2**32 + 1, 123456789)
# Days close together, and days more than the cap apart from them.
OFFSETS = st.one_of(st.integers(0, 12), st.integers(725, 745), st.integers(1460, 1466))
CALLS = st.tuples(st.sampled_from(KEYS), OFFSETS, st.booleans(), st.integers(-3, 3))
History = dict[tuple[int, int, bool], int]  # (key, day offset, member) -> orders


def table_rows(sessions, shop_id):
    """The shop's customer_day_counts, as comparable tuples."""
    t = CustomerDayCounts
    with sessions() as s:
        rows = s.execute(
            select(t.series, t.day, t.orders, t.by_gap, t.single_firsts)
            .where(t.shop_id == shop_id)
            .order_by(t.series, t.day)
        )
        return [
            (series, day, orders, list(gaps), list(singles))
            for series, day, orders, gaps, singles in rows
        ]


def brute_force(history: History, start: int, end: int) -> dict[Series, PeriodCustomers]:
    """Customers of start..end, those with one order up to end, and their orders, per series."""
    out = {}
    for series in Series:
        days: dict[int, dict[int, int]] = {}
        for (key, day, member), orders in history.items():
            if orders and (series == Series.ALL or member == (series == Series.MEMBERS)):
                on = days.setdefault(key, {})
                on[day] = on.get(day, 0) + orders
        customers = [k for k, on in days.items() if any(start <= d <= end for d in on)]
        single = [k for k in customers if sum(n for d, n in days[k].items() if d <= end) == 1]
        orders = sum(n for on in days.values() for d, n in on.items() if start <= d <= end)
        out[series] = PeriodCustomers(len(customers), len(single), orders)
    return out


def play(sessions, shop_id, transactions) -> History:
    """Make the calls (a transaction's calls together); what the customers' days then hold.

    A negative delta removes orders the day has (emptying it at most); on an empty day it adds.
    """
    history: History = {}
    for calls in transactions:
        with sessions.begin() as s:
            for key, offset, member, raw in calls:
                held = history.get((key, offset, member), 0)
                delta = -min(held, -raw) if raw < 0 and held else abs(raw)
                history[(key, offset, member)] = held + delta
                add_customer_orders(s, shop_id, BASE + timedelta(days=offset), member, key, delta)
    return history


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    transactions=st.lists(st.lists(CALLS, min_size=1, max_size=3), min_size=1, max_size=12),
    periods=st.lists(
        st.tuples(st.integers(-3, 1470), st.integers(1, MAX_DAYS)), min_size=1, max_size=6
    ),
)
def test_the_counts_follow_every_change_and_sum_periods_exactly(
    rt, installed_shop, transactions, periods
):
    shop_id = installed_shop(None).id  # a shop of its own for each example
    history = play(rt.sessions, shop_id, transactions)
    with rt.sessions() as s:
        for start, days in periods:
            first, last = BASE + timedelta(days=start), BASE + timedelta(days=start + days - 1)
            got = period_customers(s, shop_id, first, last)
            assert got == brute_force(history, start, start + days - 1), (start, days)
    kept = table_rows(rt.sessions, shop_id)
    with rt.sessions.begin() as s:
        rebuild_customer_counts(s, shop_id)
    assert kept == table_rows(rt.sessions, shop_id)


def test_a_late_day_a_cancellation_and_a_second_first_day_order_move_the_right_rows(
    rt, installed_shop
):
    """The cases the writer must get right, by hand: gaps change on the day after a late day."""
    shop_id = installed_shop().id
    day = BASE + timedelta(days=10)

    def add(offset, delta, member=True):
        with rt.sessions.begin() as s:
            add_customer_orders(s, shop_id, day + timedelta(days=offset), member, 77, delta)

    def members(start, end):
        with rt.sessions() as s:
            period = period_customers(
                s, shop_id, day + timedelta(days=start), day + timedelta(days=end)
            )
        return period[Series.MEMBERS]

    add(0, 1)
    add(5, 1)
    assert members(5, 5) == PeriodCustomers(1, 0, 1)  # two orders up to day 5
    assert members(0, 4) == PeriodCustomers(1, 1, 1)  # one order up to day 4
    add(3, 1)  # a late order between them: day 5's gap shrinks from 5 to 2
    assert members(4, 5) == PeriodCustomers(1, 0, 1)
    assert members(3, 3) == PeriodCustomers(1, 0, 1)
    add(0, 1)  # the first day's second order: never a single-order customer from then on
    assert members(0, 0) == PeriodCustomers(1, 0, 2)
    add(0, -2)  # cancelled: day 3 is the first day now
    assert members(0, 3) == PeriodCustomers(1, 1, 1)
    add(3, -1)
    add(5, -1)
    assert members(-CAP, 20) == PeriodCustomers(0, 0, 0)
    assert table_rows(rt.sessions, shop_id) == []  # rows of no customers go


def test_arrays_keep_no_repeated_tail():
    assert trimmed([3, 1, 1, 1]) == [3, 1]
    assert trimmed([0] * CAP) == []
    assert trimmed([2] * CAP) == [2]
    histogram = [0] * (CAP + 1)
    histogram[CAP], histogram[2] = 4, 1  # four first days, one two days after its last
    assert from_histogram(histogram) == [5, 5, 4]
    assert with_steps([5, 5, 4], {2: -1, CAP: 1}) == [5]
    assert with_steps([], {3: 1}) == [1, 1, 1, 0]
