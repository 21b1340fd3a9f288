"""Recomputing ``customer_day_counts`` from ``customer_day_orders`` (migration 0009, benchmarks).

The figures :func:`loyalty.analytics.customer_counts.contributions` defines, computed in one pass over a
shop's customer days ordered by customer and day (member and non-member orders of a day side by
side): per series, a customer's day adds one to that day's histogram of gaps since the
customer's previous day, and a first day with one order adds one to the day's histogram of gaps
until the next; each histogram becomes its array at the end. It is written for speed (9,000,000
customer days in well under a minute of Python); the tests check it against the writer's own
arithmetic (tests/analytics/test_customer_counts.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, case, delete, func, insert, select, text
from sqlalchemy.orm import Session

from loyalty.analytics.customer_counts import CAP, Series, from_histogram
from loyalty.core.models import CustomerDayCounts, CustomerDayOrders

Histograms = list[list[int] | None]
"""Per day of the shop's range (index), a histogram of gaps 1..CAP (index), or None."""


class _Series:
    """One series of one shop being rebuilt, and the current customer's place in it."""

    def __init__(self, days: int) -> None:
        self.orders = [0] * days
        self.gaps: Histograms = [None] * days
        self.singles: Histograms = [None] * days
        self.previous = -1  # the customer's last day in the series (-1: none yet)
        self.first = -1  # its first day, while that may still be its only order (-1: not)

    def day(self, day: int, orders: int) -> None:
        """The current customer's next day in the series (days come in order)."""
        self.orders[day] += orders
        previous = self.previous
        gap = CAP if previous < 0 else min(day - previous, CAP)
        gaps = self.gaps[day]
        if gaps is None:
            gaps = self.gaps[day] = [0] * (CAP + 1)
        gaps[gap] += 1
        if previous < 0:
            self.first = day if orders == 1 else -1
        elif self.first >= 0:
            self._single(self.first, min(day - self.first, CAP))
            self.first = -1
        self.previous = day

    def end_customer(self) -> None:
        """A first day with one order that no other day followed: single up to any end."""
        if self.first >= 0:
            self._single(self.first, CAP)
        self.previous = self.first = -1

    def _single(self, day: int, gap: int) -> None:
        singles = self.singles[day]
        if singles is None:
            singles = self.singles[day] = [0] * (CAP + 1)
        singles[gap] += 1


def rebuild_customer_counts(bind: Connection | Session, shop_id: int | None = None) -> int:
    """Recompute ``customer_day_counts`` from ``customer_day_orders`` (one shop, or all).

    Streams each shop's customer days ordered by customer and day; memory holds at most two
    histograms per series and day of the shop. Runs in the caller's transaction (on PostgreSQL
    with its planner settings changed until the function returns); returns rows written.
    """
    cdo, cdc = CustomerDayOrders, CustomerDayCounts
    if shop_id is None:
        bind.execute(delete(cdc))
        shops = list(bind.scalars(select(cdo.shop_id).distinct().order_by(cdo.shop_id)))
    else:
        bind.execute(delete(cdc).where(cdc.shop_id == shop_id))
        shops = [shop_id]
    dialect = bind.get_bind().dialect if isinstance(bind, Session) else bind.dialect
    settings = {"enable_indexscan": "off", "enable_bitmapscan": "off", "work_mem": "'256MB'"}
    postgres = dialect.name == "postgresql"
    if postgres:
        # A cursor's plan favours the (shop, customer, day) index, whose heap reads are random;
        # one sort of the shop's rows is several times faster for a whole shop.
        for name, value in settings.items():
            bind.execute(text(f"SET LOCAL {name} = {value}"))
    written = sum(_rebuild_shop(bind, shop) for shop in shops)
    if postgres:
        for name in settings:
            bind.execute(text(f"RESET {name}"))
    return written


def _rebuild_shop(bind: Connection | Session, shop_id: int) -> int:
    """Recompute one shop's rows (none of which exist any more); how many were written."""
    cdo = CustomerDayOrders
    first_day, last_day = bind.execute(
        select(func.min(cdo.day), func.max(cdo.day)).where(cdo.shop_id == shop_id)
    ).one()
    if first_day is None:
        return 0
    base, length = first_day.toordinal(), (last_day - first_day).days + 1
    series = {s: _Series(length) for s in Series}
    everything, members, others = (
        series[Series.ALL],
        series[Series.MEMBERS],
        series[Series.NON_MEMBERS],
    )
    result = bind.execute(
        select(
            cdo.customer_key,
            cdo.day,
            func.sum(case((cdo.member, cdo.orders), else_=0)),
            func.sum(case((cdo.member, 0), else_=cdo.orders)),
        )
        .where(cdo.shop_id == shop_id, cdo.orders > 0)
        .group_by(cdo.customer_key, cdo.day)
        .order_by(cdo.customer_key, cdo.day),
        execution_options={"yield_per": 20_000},
    )
    customer = None
    for key, day, as_member, as_other in result:
        if key != customer:
            for one in (everything, members, others):
                one.end_customer()
            customer = key
        index = day.toordinal() - base
        everything.day(index, as_member + as_other)
        if as_member:
            members.day(index, as_member)
        if as_other:
            others.day(index, as_other)
    for one in (everything, members, others):
        one.end_customer()
    result.close()
    rows = [
        _row(shop_id, kind, date.fromordinal(base + index), one, index)
        for kind, one in series.items()
        for index in range(length)
        if one.orders[index]
    ]
    for start in range(0, len(rows), 1000):
        bind.execute(insert(CustomerDayCounts), rows[start : start + 1000])
    return len(rows)


def _row(shop_id: int, kind: Series, day: date, one: _Series, index: int) -> dict[str, Any]:
    gaps, singles = one.gaps[index], one.singles[index]
    return {
        "shop_id": shop_id,
        "series": int(kind),
        "day": day,
        "orders": one.orders[index],
        "by_gap": from_histogram(gaps) if gaps else [],
        "single_firsts": from_histogram(singles) if singles else [],
    }
