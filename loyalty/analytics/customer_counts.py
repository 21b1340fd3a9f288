"""Customers per day by the gap to their previous order day: exact period counts in one read.

Counting a period's distinct customers from ``customer_day_orders`` means aggregating every
customer day of the period per customer, which grows with the period (1.8 s for a year at
10,000,000 orders). ``customer_day_counts`` (:class:`loyalty.core.models.CustomerDayCounts`) keeps,
per series (orders as a member, as a non-member, all) and day, how many of that day's customers
last ordered at least ``t`` days before, for every ``t`` up to :data:`CAP`. A customer belongs
to the period [a, b] once: on its first day d in it, the day whose gap exceeds d - a. So

- customers of [a, b] = the sum over d in [a, b] of ``by_gap[d - a + 1]``;
- customers whose only order up to b is on f = the sum over f of ``single_firsts[b - f + 1]``;
- repeat customers (two or more orders up to b) = customers - those.

This module holds that arithmetic (a customer's contributions, the stored arrays, the moves
between two histories) and the read of a period; :mod:`loyalty.analytics.customer_days` keeps
the table current, ``loyalty.analytics.customer_counts_rebuild`` recomputes it from
``customer_day_orders``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import Date, Integer, bindparam, text
from sqlalchemy.orm import Session

MAX_DAYS = 731
"""The longest period a report covers (two years and a day)."""
CAP = MAX_DAYS + 1
"""Gaps are counted up to this many days: longer ones (and "no previous day") all count as CAP."""


class Series(enum.IntEnum):
    """Which of a customer's orders a series counts (a day counts once in ``ALL``)."""

    ALL = 0
    MEMBERS = 1
    NON_MEMBERS = 2


class Contribution(NamedTuple):
    """What one customer adds to one series' day."""

    orders: int
    gap: int  # days since the customer's previous day in the series, capped (CAP: none)
    single_gap: int  # first day, one order: days until the next, capped (CAP: none); else 0


CustomerDay = tuple[int, bool, int]
"""A customer's day: (day as an ordinal, ordered as a member, orders)."""
Key = tuple[int, int]
"""(series, day as an ordinal)."""
_NOTHING = Contribution(0, 0, 0)


def contributions(days: Iterable[CustomerDay]) -> dict[Key, Contribution]:
    """Everything one customer's days add to the table, per (series, day)."""
    per: dict[int, dict[int, int]] = {series: {} for series in Series}
    for day, member, orders in days:
        if orders > 0:
            for counted in (Series.ALL, Series.MEMBERS if member else Series.NON_MEMBERS):
                per[counted][day] = per[counted].get(day, 0) + orders
    out: dict[Key, Contribution] = {}
    for series, orders_on in per.items():
        ordered = sorted(orders_on)
        previous = None
        for day in ordered:
            single = 0
            if previous is None and orders_on[day] == 1:
                single = min(ordered[1] - day, CAP) if len(ordered) > 1 else CAP
            gap = CAP if previous is None else min(day - previous, CAP)
            out[(series, day)] = Contribution(orders_on[day], gap, single)
            previous = day
    return out


# --- Arrays ------------------------------------------------------------------------------


def trimmed(values: list[int]) -> list[int]:
    """``values`` without its tail of repeats of the last kept value; all zeros is ``[]``."""
    end = len(values)
    while end > 1 and values[end - 1] == values[end - 2]:
        end -= 1
    kept = values[:end]
    return [] if kept == [0] else kept


def expanded(stored: list[int]) -> list[int]:
    """A stored (trimmed) array at its full length CAP."""
    if not stored:
        return [0] * CAP
    return stored + [stored[-1]] * (CAP - len(stored))


def with_steps(stored: list[int], steps: Mapping[int, int]) -> list[int]:
    """``stored`` with ``count`` added at positions 1..``length`` for each length → count."""
    if not steps:
        return stored
    values = expanded(stored)
    for length, count in steps.items():
        for t in range(length):
            values[t] += count
    return trimmed(values)


def from_histogram(histogram: list[int]) -> list[int]:
    """The array counting, at each position t, the entries of ``histogram[g]`` with g >= t."""
    values = [0] * CAP
    running = 0
    for gap in range(CAP, 0, -1):
        running += histogram[gap]
        values[gap - 1] = running
    return trimmed(values)


# --- Moves between two histories ----------------------------------------------------------


@dataclass
class DayChange:
    """How one (series, day) row moves: orders, and steps (length → count) of each array."""

    orders: int = 0
    by_gap: dict[int, int] = field(default_factory=dict)
    single_firsts: dict[int, int] = field(default_factory=dict)


def changes(
    before: Mapping[Key, Contribution], after: Mapping[Key, Contribution]
) -> dict[Key, DayChange]:
    """The rows' moves that turn a customer's ``before`` contributions into ``after``."""
    out: dict[Key, DayChange] = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key, _NOTHING), after.get(key, _NOTHING)
        if old == new:
            continue
        change = DayChange(orders=new.orders - old.orders)
        for steps, was, now in (
            (change.by_gap, old.gap, new.gap),
            (change.single_firsts, old.single_gap, new.single_gap),
        ):
            if was != now:
                if was:
                    steps[was] = -1
                if now:
                    steps[now] = 1
        out[key] = change
    return out


# --- Reading a period ----------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodCustomers:
    """One series over a period: customers, those with one order up to its end, their orders."""

    customers: int
    single: int
    orders: int

    @property
    def repeat(self) -> int:
        """Customers of the period with two or more orders up to its end."""
        return self.customers - self.single


_PERIOD_SQL = {
    # The element at position k, or the last stored one past the end; an empty array is zeros.
    "postgresql": """
        SELECT series, sum(orders),
          sum(coalesce(by_gap[least(day - :start + 1, cardinality(by_gap))], 0)),
          sum(coalesce(single_firsts[least(:end - day + 1, cardinality(single_firsts))], 0))
        FROM customer_day_counts
        WHERE shop_id = :shop AND day >= :start AND day <= :end
        GROUP BY series
    """,
    "sqlite": """
        SELECT series, sum(orders),
          sum(CASE WHEN json_array_length(by_gap) = 0 THEN 0 ELSE json_extract(by_gap,
            printf('$[%d]', min(CAST(julianday(day) - julianday(:start) AS INTEGER) + 1,
                                json_array_length(by_gap)) - 1)) END),
          sum(CASE WHEN json_array_length(single_firsts) = 0 THEN 0 ELSE json_extract(
            single_firsts,
            printf('$[%d]', min(CAST(julianday(:end) - julianday(day) AS INTEGER) + 1,
                                json_array_length(single_firsts)) - 1)) END)
        FROM customer_day_counts
        WHERE shop_id = :shop AND day >= :start AND day <= :end
        GROUP BY series
    """,
}


def period_customers(
    session: Session, shop_id: int, start: date, end: date
) -> dict[Series, PeriodCustomers]:
    """Customers, single-order customers and orders of each series over ``start``..``end``.

    One row per series and day of the period, one array element each: the cost grows with
    the period's days, not with its customers. Periods longer than MAX_DAYS are not exact.
    """
    query = text(_PERIOD_SQL[session.get_bind().dialect.name]).bindparams(
        bindparam("shop", type_=Integer),
        bindparam("start", type_=Date),
        bindparam("end", type_=Date),
    )
    found = {
        int(series): PeriodCustomers(int(customers or 0), int(single or 0), int(orders or 0))
        for series, orders, customers, single in session.execute(
            query, {"shop": shop_id, "start": start, "end": end}
        )
    }
    return {series: found.get(series, PeriodCustomers(0, 0, 0)) for series in Series}
