"""A member's progress and tier at a moment, from their facts alone (pure: no database).

A *contribution* is one fact that counts towards the ladder's basis, dated by the fact itself:
a paid order at its ``ordered_at`` (its points now, its net merchandise, or 1), and for the
points basis a bonus entry (or, with the setting, a staff adjustment) at its ``created_at``.
A refund or cancellation changes its order's contribution at the order's time; expiry and
redemptions are no contributions (they do not lower points *earned*). Contributions are final
facts, so everything here is a function of the final facts and the moment asked about,
whatever order the webhooks came in (invariant 4 for tiers).

- :func:`progress_at` — the basis counted over the period ending at ``t`` (lifetime, the 12
  months before ``t``, or ``t``'s calendar year in the shop's time zone), ``t`` included;
- :func:`qualified_level` — the highest tier whose threshold that progress reaches;
- :func:`held_level` — the highest tier qualified for at any moment of the grace period ending
  at ``t``: a member falling short keeps the tier that long (a refund lowers past progress
  too, so it moves them down at once);
- :func:`ever_level` — the highest tier qualified for at any moment since ``since`` (entry
  bonuses are owed for tiers ever reached, and taken back when a refund undoes the reaching).

Levels are positions in the ladder (0 the lowest), -1 for no tier. Progress is piecewise
constant in ``t``: it changes when a contribution's time comes and when one leaves the period,
so a maximum over an interval is a maximum over those moments (:func:`_moments`).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from zoneinfo import ZoneInfo

from loyalty.core.models import TierPeriod
from loyalty.core.types import months_before

ZERO = Decimal(0)
TICK = timedelta(microseconds=1)
NO_TIER = -1


@dataclass(frozen=True, order=True)
class Contribution:
    """One fact counting towards the basis: when, a tie-break (entries 0, orders 1; then the
    id), and how much."""

    at: datetime
    rank: int
    ref: int
    value: Decimal

    @property
    def key(self) -> tuple[datetime, int, int]:
        """The fact's place in time; an order counts only what comes strictly before it."""
        return (self.at, self.rank, self.ref)


class Series:
    """A member's contributions, sorted, with running sums: progress in O(log n) per moment."""

    def __init__(self, contributions: Sequence[Contribution], period: str, zone: ZoneInfo) -> None:
        ordered = sorted(contributions)
        self.contributions = ordered
        self.times = [c.at for c in ordered]
        self.sums = [ZERO, *accumulate(c.value for c in ordered)]
        self.period = period
        self.zone = zone

    def start(self, t: datetime) -> datetime | None:
        """The first moment of the period that ends at ``t`` (None: lifetime)."""
        if self.period == TierPeriod.ROLLING_12_MONTHS:
            return months_before(t, 12)
        if self.period == TierPeriod.CALENDAR_YEAR:
            local = t.astimezone(self.zone)
            return local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        return None

    def leaves(self, at: datetime) -> list[datetime]:
        """Moments just after which a contribution made at ``at`` is out of the period."""
        if self.period == TierPeriod.ROLLING_12_MONTHS:
            year_on = months_before(at, -12)
            return [year_on + TICK, year_on + timedelta(days=1)]
        if self.period == TierPeriod.CALENDAR_YEAR:
            local = at.astimezone(self.zone)
            next_year = local.replace(
                year=local.year + 1, month=1, day=1, hour=0, minute=0, second=0, microsecond=0
            )
            return [next_year]
        return []

    def progress_at(self, t: datetime) -> Decimal:
        """The basis over the period ending at ``t``, contributions at ``t`` included."""
        end = bisect.bisect_right(self.times, t)
        start = self.start(t)
        first = 0 if start is None else bisect.bisect_left(self.times, start)
        return self.sums[end] - self.sums[min(first, end)]

    def moments(self, low: datetime, high: datetime) -> list[datetime]:
        """``low``, ``high``, and every moment in between where progress may change."""
        found = [low, high]
        for at in self.times:
            if low < at <= high:
                found.append(at)
            found.extend(m for m in self.leaves(at) if low < m <= high)
        start = self.start(high)
        if self.period == TierPeriod.CALENDAR_YEAR and start is not None and low < start:
            found.append(start)
        return found


def level_for(thresholds: Sequence[Decimal], value: Decimal) -> int:
    """The highest position whose threshold ``value`` reaches (thresholds increase); -1: none."""
    return bisect.bisect_right(list(thresholds), value) - 1


def qualified_level(series: Series, thresholds: Sequence[Decimal], t: datetime) -> int:
    """The tier the progress at ``t`` reaches."""
    return level_for(thresholds, series.progress_at(t))


def held_level(series: Series, thresholds: Sequence[Decimal], t: datetime, grace: timedelta) -> int:
    """The highest tier qualified for at any moment of ``[t - grace, t]``."""
    if not thresholds:
        return NO_TIER
    if not grace:
        return qualified_level(series, thresholds, t)
    return max(
        qualified_level(series, thresholds, m) for m in series.moments(t - grace, t) if m <= t
    )


def ever_level(series: Series, thresholds: Sequence[Decimal], since: datetime, t: datetime) -> int:
    """The highest tier qualified for at any moment from ``since`` to ``t`` (NO_TIER if
    ``since`` is after ``t``)."""
    if since > t or not thresholds:
        return NO_TIER
    return max(qualified_level(series, thresholds, m) for m in series.moments(since, t))


def before(
    contributions: Sequence[Contribution], key: tuple[datetime, int, int]
) -> list[Contribution]:
    """The contributions strictly before ``key`` (what an order's own tier is made of)."""
    return [c for c in contributions if c.key < key]
