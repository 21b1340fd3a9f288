"""Analytics for a period, from the daily rollups the workers keep (never by reading orders).

Three tables hold every figure: ``DailyRollup`` (orders and revenue of members and non-members,
new members, points issued / redeemed / expired, per shop-local day), ``CustomerDayOrders``
(how many orders each customer placed each day, as member or not) and ``CustomerDayCounts``
(per day, that day's customers by the gap to their previous and next order days, from which
any period's distinct and repeat customers are summed: :mod:`loyalty.analytics.customer_counts`). All
move by deltas in the transaction that changes their facts (``loyalty.points.orders``,
``loyalty.points.ledger``, :mod:`loyalty.analytics.customer_days`), so a late refund changes its
order's day and a report is a range read of at most a few rows per day. The period a report
covers is :mod:`loyalty.analytics.periods`'.

Definitions (docs/decisions.md, "Analytics"):

- revenue: net merchandise, paid minus refunded subtotal (the base points are earned on), on
  the order's shop-local day; average order value = revenue / orders;
- customers: distinct customers who ordered in the period; orders without a customer cannot be
  told apart and are left out of orders per customer and repeat purchase rate;
- repeat customers: customers of the period who have ordered at least twice up to the period's
  end, in that segment (orders before the period count; the way Shopify counts returning
  customers); repeat purchase rate = repeat customers / customers;
- points issued: every movement but redemptions and expiry (earns minus claw-backs, bonuses,
  adjustments, imports); redemption rate = points redeemed / points issued in the period;
- outstanding points at the end of a day: everything issued minus redeemed minus expired up to
  it, which equals the sum of the balances (invariant 1); their value is outstanding points times
  the value of a point: the most currency one point buys through an active fixed-amount reward.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.analytics import customer_counts
from loyalty.analytics.periods import Period
from loyalty.core.errors import NotFound
from loyalty.core.models import DailyRollup, Reward, RewardKind, Shop
from loyalty.core.money import ZERO, quantize
from loyalty.core.types import utcnow

_RATE_PLACES = Decimal("0.0001")

DAY_COLUMNS = (
    "day",
    "member_orders",
    "member_revenue",
    "guest_orders",
    "guest_revenue",
    "new_members",
    "points_issued",
    "points_redeemed",
    "points_expired",
    "outstanding_points",
)
"""The columns of a report's daily series (and of its CSV)."""
_REVENUE_COLUMNS = ("member_revenue", "guest_revenue")
_COUNT_COLUMNS = tuple(name for name in DAY_COLUMNS[1:-1] if name not in _REVENUE_COLUMNS)


def report(sessions: sessionmaker[Session], shop_id: int, period: Period) -> dict[str, Any]:
    """Every figure of the dashboard for ``period``, JSON-shaped (money as decimal strings)."""
    with sessions() as session:
        shop = session.get(Shop, shop_id)
        if shop is None:
            raise NotFound(f"no shop {shop_id}")
        currency = shop.currency
        rows = {
            r.day: r
            for r in session.scalars(
                select(DailyRollup).where(
                    DailyRollup.shop_id == shop_id,
                    DailyRollup.day >= period.start,
                    DailyRollup.day <= period.end,
                )
            )
        }
        opening = _outstanding_before(session, shop_id, period.start)
        customers = _customers(session, shop_id, period)
        point_value = _point_value(session, shop_id, utcnow())
        time_zone = shop.timezone

    series = _daily_series(rows, period, opening, currency)
    totals, revenues = series.totals, series.revenues
    member_revenue, guest_revenue = revenues["member_revenue"], revenues["guest_revenue"]
    revenue = member_revenue + guest_revenue
    return {
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "days": period.days,
            "time_zone": time_zone,
        },
        "currency": currency,
        "members": _segment(
            member_revenue, totals["member_orders"], customers["members"], currency
        ),
        "non_members": _segment(
            guest_revenue, totals["guest_orders"], customers["non_members"], currency
        ),
        "all": _segment(
            revenue, totals["member_orders"] + totals["guest_orders"], customers["all"], currency
        ),
        "members_revenue_share": _ratio(member_revenue, revenue),
        "new_members": totals["new_members"],
        "points": _points(totals, series.outstanding, point_value, currency),
        "days": series.days,
    }


@dataclass(frozen=True)
class _Series:
    """The period's days as the report shows them, and their sums."""

    days: list[dict[str, Any]]
    totals: dict[str, int]  # the counts of DAY_COLUMNS
    revenues: dict[str, Decimal]  # the revenues of DAY_COLUMNS
    outstanding: int  # points outstanding at the end of the period


def _daily_series(
    rows: Mapping[date, DailyRollup], period: Period, opening: int, currency: str
) -> _Series:
    """Each day's figures (0 for a day without a rollup) and the points outstanding at its end."""
    days: list[dict[str, Any]] = []
    outstanding = opening
    totals = dict.fromkeys(_COUNT_COLUMNS, 0)
    revenues = dict.fromkeys(_REVENUE_COLUMNS, ZERO)
    for day in period.each_day():
        row = rows.get(day)
        counts = {name: _count(row, name) for name in _COUNT_COLUMNS}
        amounts = {name: _revenue(row, name) for name in _REVENUE_COLUMNS}
        for name, count in counts.items():
            totals[name] += count
        for name, amount in amounts.items():
            revenues[name] += amount
        outstanding += (
            counts["points_issued"] - counts["points_redeemed"] - counts["points_expired"]
        )
        figures: dict[str, int | str] = {
            **counts,
            **{name: _money(amount, currency) for name, amount in amounts.items()},
        }
        days.append(
            {
                "day": day.isoformat(),
                **{name: figures[name] for name in DAY_COLUMNS[1:-1]},
                "outstanding_points": outstanding,
            }
        )
    return _Series(days, totals, revenues, outstanding)


def _points(
    totals: Mapping[str, int], outstanding: int, point_value: Decimal | None, currency: str
) -> dict[str, Any]:
    """The period's points: issued, redeemed, expired, their rate, and what is outstanding."""
    issued = totals["points_issued"]
    return {
        "issued": issued,
        "redeemed": totals["points_redeemed"],
        "expired": totals["points_expired"],
        "redemption_rate": _ratio(Decimal(totals["points_redeemed"]), Decimal(issued))
        if issued > 0
        else None,
        "outstanding": outstanding,
        "point_value": None if point_value is None else format(point_value.normalize(), "f"),
        "outstanding_value": None
        if point_value is None
        else _money(Decimal(outstanding) * point_value, currency),
    }


_SEGMENT_SERIES = {
    "members": customer_counts.Series.MEMBERS,
    "non_members": customer_counts.Series.NON_MEMBERS,
    "all": customer_counts.Series.ALL,
}


@dataclass(frozen=True)
class _Customers:
    customers: int
    repeat_customers: int
    orders: int


def _customers(session: Session, shop_id: int, period: Period) -> dict[str, _Customers]:
    """Distinct customers, repeat customers and their orders, per segment and overall.

    Read from ``customer_day_counts``: one array element per series and day of the period,
    whatever the number of customers (:mod:`loyalty.analytics.customer_counts`).
    """
    counts = customer_counts.period_customers(session, shop_id, period.start, period.end)
    return {
        name: _Customers(counts[series].customers, counts[series].repeat, counts[series].orders)
        for name, series in _SEGMENT_SERIES.items()
    }


def _outstanding_before(session: Session, shop_id: int, day: date) -> int:
    """Points outstanding at the end of the day before ``day``: the rollups' running total."""
    net = func.coalesce(
        func.sum(
            DailyRollup.points_issued - DailyRollup.points_redeemed - DailyRollup.points_expired
        ),
        0,
    )
    value = session.scalar(select(net).where(DailyRollup.shop_id == shop_id, DailyRollup.day < day))
    return int(value or 0)


def _point_value(session: Session, shop_id: int, now: datetime) -> Decimal | None:
    """The most currency one point buys through an active fixed-amount reward, or None."""
    best: Decimal | None = None
    query = select(Reward.value, Reward.points_cost).where(
        Reward.shop_id == shop_id,
        Reward.kind == RewardKind.FIXED_AMOUNT,
        Reward.active.is_(True),
        Reward.value.is_not(None),
        Reward.points_cost > 0,
        or_(Reward.starts_at.is_(None), Reward.starts_at <= now),
        or_(Reward.ends_at.is_(None), Reward.ends_at > now),
    )
    for value, cost in session.execute(query):
        assert value is not None  # the query leaves out rewards without a value
        per_point = Decimal(value) / Decimal(cost)
        best = per_point if best is None or per_point > best else best
    return best


def _segment(revenue: Decimal, orders: int, customers: _Customers, currency: str) -> dict[str, Any]:
    return {
        "revenue": _money(revenue, currency),
        "orders": orders,
        "average_order_value": _money(revenue / orders, currency) if orders else None,
        "customers": customers.customers,
        "orders_with_customer": customers.orders,
        "orders_per_customer": _ratio(Decimal(customers.orders), Decimal(customers.customers)),
        "repeat_customers": customers.repeat_customers,
        "repeat_purchase_rate": _ratio(
            Decimal(customers.repeat_customers), Decimal(customers.customers)
        ),
    }


def _count(row: DailyRollup | None, name: str) -> int:
    """One of the day's counts (:data:`_COUNT_COLUMNS`), 0 for a day without a rollup."""
    return int(getattr(row, name)) if row is not None else 0


def _revenue(row: DailyRollup | None, name: str) -> Decimal:
    """One of the day's revenues (:data:`_REVENUE_COLUMNS`), 0 for a day without a rollup."""
    return Decimal(getattr(row, name)) if row is not None else ZERO


def _money(amount: Decimal, currency: str) -> str:
    """A decimal string in the currency's minor unit (half-up)."""
    return format(quantize(Decimal(amount), currency), "f")


def _ratio(part: Decimal, whole: Decimal) -> float | None:
    """``part / whole`` to four places (a JSON number: a share, not money); None if whole is 0."""
    if not whole:
        return None
    return float((part / whole).quantize(_RATE_PLACES, rounding=ROUND_HALF_UP))
