"""Analytics for a period, from the daily rollups the workers keep (never by reading orders).

Three tables hold every figure: ``DailyRollup`` (orders and revenue of members and non-members,
new members, points issued / redeemed / expired, per shop-local day), ``CustomerDayOrders``
(how many orders each customer placed each day, as member or not) and ``CustomerDayCounts``
(per day, that day's customers by the gap to their previous and next order days, from which
any period's distinct and repeat customers are summed: :mod:`loyalty.analytics.customer_counts`). All
move by deltas in the transaction that changes their facts (``loyalty.points.orders``,
``loyalty.points.ledger``), so a late refund changes its order's day and a report is a range read of
at most a few rows per day.

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

import hashlib
import hmac
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.analytics import customer_counts
from loyalty.analytics.customer_counts import MAX_DAYS
from loyalty.core.db import excluded, upsert
from loyalty.core.errors import NotFound, ValidationError
from loyalty.core.models import (
    CustomerDayOrders,
    DailyRollup,
    OrderRecord,
    Reward,
    RewardKind,
    Shop,
)
from loyalty.core.money import ZERO, quantize
from loyalty.core.types import utcnow
from loyalty.members.enrolment import HashKeys
from loyalty.points.ledger import local_day

DEFAULT_DAYS = 30
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
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


# --- Kept by the workers -----------------------------------------------------------------


def customer_key(hash_key: HashKeys, shop_id: int, customer_id: int) -> int:
    """A customer's pseudonymous key for analytics: 63 bits of an HMAC of shop and customer.

    Keyed like tombstones (with the writing key) but with its own label, so the two cannot be
    matched; unique enough that two customers of one shop collide with odds of about n²/2^64.
    """
    key = hash_key if isinstance(hash_key, bytes | str) else hash_key[0]
    raw = key.encode() if isinstance(key, str) else key
    digest = hmac.new(raw, f"analytics:{shop_id}:{customer_id}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def add_customer_orders(
    session: Session, shop_id: int, day: date, member: bool, key: int, delta: int
) -> None:
    """Add ``delta`` orders to one customer's day (a row that reaches 0 goes) and follow it.

    The only writer of ``customer_day_orders``: under the customer's lock, it moves the
    customer's day and then ``customer_day_counts`` by what that changed
    (:mod:`loyalty.analytics.customer_counts`).
    """
    if not delta:
        return
    customer_counts.lock_customer(session, shop_id, key)
    table = CustomerDayOrders.__table__
    stmt = upsert(session, CustomerDayOrders).values(
        shop_id=shop_id, day=day, member=member, customer_key=key, orders=delta
    )
    now = session.scalar(
        stmt.on_conflict_do_update(
            index_elements=["shop_id", "day", "member", "customer_key"],
            set_={"orders": table.c.orders + excluded(CustomerDayOrders).c.orders},
        ).returning(table.c.orders)
    )
    assert now is not None
    if now <= 0:
        session.execute(
            delete(CustomerDayOrders).where(
                CustomerDayOrders.shop_id == shop_id,
                CustomerDayOrders.day == day,
                CustomerDayOrders.member == member,
                CustomerDayOrders.customer_key == key,
            )
        )
    customer_counts.follow_customer_day(session, shop_id, key, day, member, was=now - delta)


def key_recorded_orders(
    sessions: sessionmaker[Session], hash_key: HashKeys, *, batch: int = 500
) -> int:
    """Give counted orders recorded before customer keys existed their key; how many were done.

    Each order is locked and re-settled as a webhook would (``loyalty.points.orders.settle`` posts
    nothing for a settled order), so its customer's day moves under the same lock as ever.
    """
    from loyalty.points.orders import settle  # loyalty.points.orders imports this module

    with sessions() as session:
        pending = session.execute(
            select(OrderRecord.shop_id, OrderRecord.order_id)
            .where(
                OrderRecord.customer_key.is_(None),
                OrderRecord.customer_id.is_not(None),
                OrderRecord.rollup_day.is_not(None),
            )
            .limit(batch)
        ).all()
    for shop_id, order_id in pending:
        with sessions.begin() as session:
            record = session.scalars(
                select(OrderRecord)
                .where(OrderRecord.shop_id == shop_id, OrderRecord.order_id == order_id)
                .with_for_update()
            ).one()
            if record.customer_key is None and record.customer_id is not None:
                record.customer_key = customer_key(hash_key, shop_id, record.customer_id)
                settle(session, record, utcnow())
    return len(pending)


# --- The period ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole shop-local days, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> Iterator[date]:
        for offset in range(self.days):
            yield self.start + timedelta(days=offset)


def shop_today(sessions: sessionmaker[Session], shop_id: int, now: datetime | None = None) -> date:
    """Today in the shop's time zone."""
    with sessions() as session:
        return local_day(session, shop_id, now or utcnow())


def parse_period(args: Mapping[str, str], today: date) -> Period:
    """The period asked for by ``from`` and ``to`` (YYYY-MM-DD, shop-local days, inclusive).

    Either may be left out: the period is then 30 days ending ``to`` (or today), or starting
    ``from``. Raises :class:`ValidationError` naming each bad field.
    """
    problems: dict[str, str] = {}
    parsed: dict[str, date | None] = {}
    for name in ("from", "to"):
        text = args.get(name)
        if text is None or text == "":
            parsed[name] = None
            continue
        try:
            if not _ISO_DAY.fullmatch(text):
                raise ValueError(text)
            day = date.fromisoformat(text)
        except ValueError:
            problems[name] = "Enter a date as YYYY-MM-DD, for example 2026-03-01."
            continue
        parsed[name] = day
        if day > today:
            problems[name] = "Choose a day up to today."
    if problems:
        raise ValidationError(problems, "Some query parameters are not valid.")
    start, end = parsed["from"], parsed["to"]
    if start is None:
        if end is None:
            end = today
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    elif end is None:
        end = min(start + timedelta(days=DEFAULT_DAYS - 1), today)
    if start > end:
        problems["to"] = "Choose a day on or after the start of the period."
    elif (end - start).days + 1 > MAX_DAYS:
        problems["from"] = f"A period can be at most {MAX_DAYS} days long."
    if problems:
        raise ValidationError(problems, "Some query parameters are not valid.")
    return Period(start, end)


# --- The report ----------------------------------------------------------------------------


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

    member_revenue, guest_revenue = revenues["member_revenue"], revenues["guest_revenue"]
    revenue = member_revenue + guest_revenue
    issued = totals["points_issued"]
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
        "points": {
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
        },
        "days": days,
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
