"""Points expiry: points expire after N months without activity (DESIGN.md, earning rules).

Activity is an earn, a redemption or a manual adjustment (``ledger.ACTIVITY_KINDS``, which keep
``Member.last_activity_at`` current); a member who never had any counts from joining. A shop's
``expiry_months`` of 0 means never. An inactive member with a positive balance gets one
``expire`` entry for the whole balance, under the source key ``expire:{member}:{last activity}``:
the last activity names the inactivity period, so a second run, a retried job or two
schedulers racing post nothing more (invariant 2), and the next period (after new activity)
gets its own key. Each member is settled in its own short transaction with the row locked,
and the conditions are checked again under the lock, so an earn arriving meanwhile wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import LedgerKind, Member, Shop
from loyalty.core.types import months_before, utcnow
from loyalty.members.enrolment import lock_member, program_settings
from loyalty.points import reasons
from loyalty.points.ledger import post


def expiry_months_by_shop(sessions: sessionmaker[Session]) -> dict[int, int]:
    """Installed shops whose points expire, with their months of allowed inactivity."""
    with sessions() as s:
        shop_ids = s.scalars(
            select(Shop.id).where(Shop.installed_at.is_not(None), Shop.uninstalled_at.is_(None))
        ).all()
        months = {shop_id: program_settings(s, shop_id).expiry_months for shop_id in shop_ids}
    return {shop_id: m for shop_id, m in months.items() if m and m > 0}


def due_members(
    sessions: sessionmaker[Session], shop_id: int, cutoff: datetime, limit: int
) -> list[int]:
    """Members of the shop with points and no activity since ``cutoff``."""
    last = func.coalesce(Member.last_activity_at, Member.joined_at)
    with sessions() as s:
        return list(
            s.scalars(
                select(Member.id)
                .where(Member.shop_id == shop_id, Member.points_balance > 0, last < cutoff)
                .order_by(Member.id)
                .limit(limit)
            )
        )


def expire_member(
    sessions: sessionmaker[Session], shop_id: int, member_id: int, cutoff: datetime, now: datetime
) -> int:
    """Expire the member's balance if still inactive since ``cutoff``; the points expired."""
    with sessions.begin() as s:
        member = lock_member(s, shop_id, member_id)
        if member is None or member.points_balance <= 0:
            return 0
        last = member.last_activity_at or member.joined_at
        if last >= cutoff:
            return 0
        points = int(member.points_balance)
        posted = post(
            s,
            shop_id=shop_id,
            member_id=member_id,
            points=-points,
            kind=LedgerKind.EXPIRE,
            source_key=f"expire:{member_id}:{last.isoformat()}",
            reason=reasons.EXPIRY,
            now=now,
        )
        return points if posted else 0


@dataclass(frozen=True)
class ExpiryRun:
    """What one run expired: which members (for the balance sync) and how many points."""

    member_ids: list[int]
    points: int


def expire_inactive_points(
    sessions: sessionmaker[Session], *, now: datetime | None = None, limit: int = 1000
) -> ExpiryRun:
    """Post ``expire`` entries for every inactive member with points (at most ``limit`` per shop)."""
    now = now or utcnow()
    member_ids: list[int] = []
    points = 0
    for shop_id, months in expiry_months_by_shop(sessions).items():
        cutoff = months_before(now, months)
        for member_id in due_members(sessions, shop_id, cutoff, limit):
            expired = expire_member(sessions, shop_id, member_id, cutoff, now)
            if expired:
                member_ids.append(member_id)
                points += expired
    return ExpiryRun(member_ids, points)
