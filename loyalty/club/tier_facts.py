"""What a member's tier is made of: the shop's ladder, and the member's facts in time.

:func:`load_ladder` reads a shop's tiers once per session (an order's path asks twice);
:func:`read_facts` reads a member's contributions (:class:`~loyalty.club.tier_progress.Contribution`):
their paid orders (points now, net merchandise, or 1, at the order's time) and, for the points
basis, their bonuses and (with the setting) staff adjustments, at the entry's time. Points a
tier gave (:data:`TIER_CODES`) never count towards a tier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.club.tier_progress import Contribution, Series
from loyalty.core.models import LedgerEntry, LedgerKind, OrderRecord, Tier, TierBasis
from loyalty.members.enrolment import program_settings
from loyalty.points.ledger import shop_zone
from loyalty.points.reasons import ReasonCode

LADDER_KEY = "klubb.tiers"
BONUS_CODES = (ReasonCode.TIER_BONUS, ReasonCode.TIER_BONUS_REVERSED)
TIER_CODES = (*BONUS_CODES, ReasonCode.TIER_REWARD)
"""Points a tier gave: never counted as points earned towards a tier."""


@dataclass(frozen=True)
class Rung:
    """A tier as the standing reads it."""

    id: int
    name: str
    level: int
    threshold: Decimal
    multiplier: Decimal
    entry_bonus: int
    created_at: datetime
    recurring_reward: dict[str, Any] | None


@dataclass(frozen=True)
class Ladder:
    """A shop's tiers in order, with what counting towards them needs."""

    shop_id: int
    rungs: tuple[Rung, ...]
    basis: str
    period: str
    zone: ZoneInfo
    grace: timedelta
    counts_adjustments: bool

    def series(self, contributions: list[Contribution]) -> Series:
        return Series(contributions, self.period, self.zone)

    def existing_at(self, moment: datetime) -> list[Rung]:
        """The tiers that existed at ``moment``."""
        return [r for r in self.rungs if r.created_at <= moment]

    def rung(self, tier_id: int | None) -> Rung | None:
        return next((r for r in self.rungs if r.id == tier_id), None)


def load_ladder(session: Session, shop_id: int) -> Ladder | None:
    """The shop's ladder (None: no tiers), read once per session (an order's path asks twice)."""
    held: dict[int, Ladder | None] = session.info.setdefault(LADDER_KEY, {})
    if shop_id in held:
        return held[shop_id]
    tiers = session.scalars(
        select(Tier).where(Tier.shop_id == shop_id).order_by(Tier.position, Tier.id)
    ).all()
    ladder = None
    if tiers:
        settings = program_settings(session, shop_id)
        ladder = Ladder(
            shop_id=shop_id,
            rungs=tuple(
                Rung(
                    t.id,
                    t.name,
                    level,
                    t.threshold,
                    t.earn_multiplier,
                    t.entry_bonus,
                    t.created_at,
                    t.recurring_reward,
                )
                for level, t in enumerate(tiers)
            ),
            basis=tiers[0].basis,
            period=tiers[0].period,
            zone=shop_zone(session, shop_id),
            grace=timedelta(days=settings.tier_grace_days),
            counts_adjustments=settings.tier_counts_adjustments,
        )
    held[shop_id] = ladder
    return ladder


def forget_ladder(session: Session, shop_id: int) -> None:
    """Drop the session's copy of the ladder after changing it."""
    session.info.get(LADDER_KEY, {}).pop(shop_id, None)


def order_time(record: OrderRecord) -> datetime:
    """When the order was placed (its record's creation if Shopify never said)."""
    return record.ordered_at or record.created_at


def order_contribution(
    basis: str,
    order_id: int,
    at: datetime,
    cancelled: bool,
    test: bool,
    points: int,
    paid: Decimal,
    refunded: Decimal,
) -> Contribution | None:
    """What a paid order counts for: its points, its net merchandise, or 1 (None: nothing)."""
    if cancelled or test:
        return None
    if basis == TierBasis.POINTS:
        value = Decimal(points)
    elif basis == TierBasis.SPEND:
        value = max(Decimal(0), paid - refunded)
    else:
        value = Decimal(1)
    return Contribution(at, 1, order_id, value) if value else None


def record_contribution(basis: str, record: OrderRecord) -> Contribution | None:
    return order_contribution(
        basis,
        record.order_id,
        order_time(record),
        record.cancelled,
        record.test,
        record.points_owed,
        record.paid_subtotal,
        record.refunded_subtotal,
    )


def read_facts(
    session: Session, ladder: Ladder, member_id: int, record: OrderRecord | None = None
) -> tuple[list[Contribution], list[int]]:
    """The member's contributions (but ``record``'s, which is in memory) and, with ``record``,
    their other orders placed after it, in time order."""
    mine = (order_time(record), 1, record.order_id) if record is not None else None
    facts: list[Contribution] = []
    later: list[tuple[tuple[datetime, int, int], int]] = []
    for row in session.execute(
        select(
            OrderRecord.order_id,
            OrderRecord.ordered_at,
            OrderRecord.created_at,
            OrderRecord.cancelled,
            OrderRecord.test,
            OrderRecord.points_owed,
            OrderRecord.paid_subtotal,
            OrderRecord.refunded_subtotal,
        ).where(
            OrderRecord.member_id == member_id,
            OrderRecord.shop_id == ladder.shop_id,
            OrderRecord.paid.is_(True),
        )
    ):
        if record is not None and row.order_id == record.order_id:
            continue
        at = row.ordered_at or row.created_at
        found = order_contribution(
            ladder.basis,
            row.order_id,
            at,
            row.cancelled,
            row.test,
            row.points_owed,
            row.paid_subtotal,
            row.refunded_subtotal,
        )
        if found is not None:
            facts.append(found)
        key = (at, 1, row.order_id)
        if mine is not None and key > mine and not (row.cancelled or row.test):
            later.append((key, row.order_id))
    if ladder.basis == TierBasis.POINTS:
        kinds = [LedgerKind.BONUS, *([LedgerKind.ADJUST] if ladder.counts_adjustments else [])]
        for entry_id, created_at, points in session.execute(
            select(LedgerEntry.id, LedgerEntry.created_at, LedgerEntry.points).where(
                LedgerEntry.member_id == member_id,
                LedgerEntry.kind.in_(kinds),
                LedgerEntry.reason_code.not_in(TIER_CODES),
            )
        ):
            facts.append(Contribution(created_at, 0, entry_id, Decimal(points)))
    return facts, [order_id for _, order_id in sorted(later)]
