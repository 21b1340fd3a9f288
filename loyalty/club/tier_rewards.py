"""Every member's tier recomputed: after the merchant changes the ladder, and nightly.

Orders, refunds and adjustments keep a member's tier current as they happen
(:mod:`loyalty.club.tier_standing`); what changes with time alone needs a run: a rolling or
calendar-year period rolling over, a grace period or a merchant's grant ending. The nightly run
also pays each tier's recurring reward (``{"points", "every": "month" | "year"}``) once per
member per month or year, in the shop's time zone, under ``tier-reward:{tier}:{member}:{period}``
(so a second run, a retried job or two schedulers post nothing more). Only active members get
it; a member who was in the tier on no night of a period gets nothing for it.

Each member is settled in a transaction of its own, with their row locked (as every path
does), so a run holds no lock for long and races no order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.tier_facts import load_ladder
from loyalty.club.tier_standing import refresh_member
from loyalty.core.models import LedgerKind, Member, MemberStatus, MemberTier, Shop, Tier
from loyalty.core.types import utcnow
from loyalty.points import reasons
from loyalty.points.ledger import post, shop_zone
from loyalty.points.reasons import ReasonCode

BATCH = 500
NIGHT_HOUR = 3
"""The hour, in each shop's time zone, of its nightly run (the scheduler runs it hourly)."""


@dataclass
class TierRun:
    """What a run did: members recomputed and moved, reward points posted, and the members
    whose balance moved (for the balance sync)."""

    members: int = 0
    moved: int = 0
    reward_points: int = 0
    balance_moved: list[int] = field(default_factory=list)


def shops_with_tiers(
    sessions: sessionmaker[Session], night_of: datetime | None = None
) -> list[int]:
    """Installed shops that have a ladder; with ``night_of``, those for which it is
    :data:`NIGHT_HOUR` then."""
    with sessions() as s:
        shop_ids = s.scalars(
            select(Shop.id)
            .where(
                Shop.installed_at.is_not(None),
                Shop.uninstalled_at.is_(None),
                select(Tier.id).where(Tier.shop_id == Shop.id).exists(),
            )
            .order_by(Shop.id)
        ).all()
        if night_of is None:
            return list(shop_ids)
        return [i for i in shop_ids if night_of.astimezone(shop_zone(s, i)).hour == NIGHT_HOUR]


def recompute_members(
    sessions: sessionmaker[Session],
    shop_id: int,
    *,
    cause: str,
    now: datetime | None = None,
    rewards: bool = False,
) -> TierRun:
    """Recompute every member of the shop (not anonymised); with ``rewards``, pay recurring
    rewards too."""
    now = now or utcnow()
    run = TierRun()
    after = 0
    while True:
        with sessions() as s:
            ids = list(
                s.scalars(
                    select(Member.id)
                    .where(
                        Member.shop_id == shop_id,
                        Member.id > after,
                        Member.status != MemberStatus.ANONYMISED,
                    )
                    .order_by(Member.id)
                    .limit(BATCH)
                )
            )
        for member_id in ids:
            with sessions.begin() as s:
                outcome = refresh_member(s, shop_id, member_id, now, cause)
                points = pay_recurring_reward(s, shop_id, member_id, now) if rewards else 0
            run.members += 1
            if outcome is not None and outcome.moved:
                run.moved += 1
            bonus = outcome.bonus_points if outcome is not None else 0
            if bonus or points:
                run.balance_moved.append(member_id)
            run.reward_points += points
        if len(ids) < BATCH:
            return run
        after = ids[-1]


def period_key(every: str, moment: datetime) -> str:
    """The month (``2026-12``) or year (``2026``) ``moment`` falls in, as a source key's part."""
    return f"{moment.year:04d}-{moment.month:02d}" if every == "month" else f"{moment.year:04d}"


def pay_recurring_reward(s: Session, shop_id: int, member_id: int, now: datetime) -> int:
    """Post the member's tier's recurring reward for this period if not yet; the points posted."""
    ladder = load_ladder(s, shop_id)
    row = s.get(MemberTier, member_id)
    if ladder is None or row is None:
        return 0
    rung = ladder.rung(row.tier_id)
    reward = rung.recurring_reward if rung is not None else None
    if rung is None or not reward:
        return 0
    status = s.scalar(select(Member.status).where(Member.id == member_id))
    if status != MemberStatus.ACTIVE:
        return 0
    period = period_key(str(reward["every"]), now.astimezone(shop_zone(s, shop_id)))
    points = int(reward["points"])
    posted = post(
        s,
        shop_id=shop_id,
        member_id=member_id,
        points=points,
        kind=LedgerKind.BONUS,
        source_key=f"tier-reward:{rung.id}:{member_id}:{period}",
        reason=reasons.tier(ReasonCode.TIER_REWARD, rung.id, rung.name, period),
        now=now,
    )
    return points if posted else 0
