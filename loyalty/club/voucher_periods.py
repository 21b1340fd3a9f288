"""A member's spend per period, from their orders' facts: pure, no database.

Spend is the points rule's base (DESIGN.md, "Earning rules"): a paid order's subtotal minus
its refunds, 0 once cancelled, nothing for test orders, counted at the moment the order was
placed, in the period that holds that moment in the shop's time zone. A refund therefore
always counts against its order's period, whenever it arrives.

Periods:

- ``calendar_month`` / ``calendar_year``: keyed ``2026-12`` / ``2026``, from local midnight
  on the first to local midnight on the first of the next.
- ``rolling_days`` (N days): a member's first period starts at local midnight of the day of
  their first paid order and lasts N days; the next starts on the day of their first paid order
  after it ends, and so on (keyed ``d2026-12-07``). Any paid, non-test order starts a period,
  refunded or cancelled or not, so a refund never moves where periods fall (decision,
  docs/decisions.md, Session 9: spend vouchers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from loyalty.core.models import VoucherPeriod

ZERO = Decimal(0)


@dataclass(frozen=True)
class OrderSpend:
    """One paid, non-test order of the member: when it was placed and what it counts for."""

    order_id: int
    at: datetime
    amount: Decimal  # paid subtotal minus refunds, at least 0; 0 when cancelled


@dataclass(frozen=True, order=True)
class Period:
    """A stretch of time in UTC: ``start`` included, ``end`` excluded."""

    start: datetime
    end: datetime
    key: str


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def calendar_period(period: str, zone: ZoneInfo, moment: datetime) -> Period:
    """The calendar month or year holding ``moment`` in ``zone``."""
    local = moment.astimezone(zone).date()
    if period == VoucherPeriod.CALENDAR_YEAR:
        first, following = date(local.year, 1, 1), date(local.year + 1, 1, 1)
        key = f"{local.year:04d}"
    else:
        first = local.replace(day=1)
        following = date(local.year + local.month // 12, local.month % 12 + 1, 1)
        key = f"{local.year:04d}-{local.month:02d}"
    return Period(_midnight(first, zone), _midnight(following, zone), key)


def rolling_periods(days: int, zone: ZoneInfo, moments: Iterable[datetime]) -> list[Period]:
    """The member's rolling periods of ``days`` days, anchored on their paid orders."""
    found: list[Period] = []
    for moment in sorted(moments):
        if found and moment < found[-1].end:
            continue
        day = moment.astimezone(zone).date()
        start, end = _midnight(day, zone), _midnight(day + timedelta(days=days), zone)
        found.append(Period(start, end, f"d{day.isoformat()}"))
    return found


def spend_by_period(
    period: str, days: int | None, zone: ZoneInfo, orders: Iterable[OrderSpend]
) -> dict[Period, Decimal]:
    """Every period holding one of ``orders`` (a paid one, even if it now counts 0), with the
    spend in it."""
    orders = list(orders)
    totals: dict[Period, Decimal] = {}
    if period == VoucherPeriod.ROLLING_DAYS:
        periods = rolling_periods(days or 1, zone, (o.at for o in orders))
        for each in periods:
            totals[each] = sum((o.amount for o in orders if each.start <= o.at < each.end), ZERO)
        return totals
    for order in orders:
        each = calendar_period(period, zone, order.at)
        totals[each] = totals.get(each, ZERO) + order.amount
    return totals


def current_period(
    period: str, days: int | None, zone: ZoneInfo, orders: Iterable[OrderSpend], now: datetime
) -> Period | None:
    """The period ``now`` falls in (for rolling periods: the member's open one, if any)."""
    if period != VoucherPeriod.ROLLING_DAYS:
        return calendar_period(period, zone, now)
    periods = rolling_periods(days or 1, zone, (o.at for o in orders if o.at <= now))
    return next((p for p in periods if p.start <= now < p.end), None)
