"""Deleting a tier: its members move at once, each with a ``tier_changes`` entry.

They go to the tier the merchant names, which is *granted* to them for the rest of the period
(``member_tiers.granted_*``: their facts do not move them straight back), or else to the tier
below (the one their facts give them among the tiers left: see :mod:`loyalty.club.tier_progress`,
a member held in a tier by the grace period held the tiers below too), or out of the ladder.
Points, entry bonuses and the multipliers orders earned with stay as they are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, literal, null, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.tier_catalogue import tier_in_ladder
from loyalty.core.errors import ValidationError
from loyalty.core.models import MemberTier, Shop, Tier, TierChange, TierPeriod
from loyalty.core.types import UTCDateTime, months_before, utcnow
from loyalty.points.ledger import shop_zone
from loyalty.privacy import audit

_CHANGE_COLUMNS = (
    "shop_id",
    "member_id",
    "from_tier_id",
    "from_name",
    "to_tier_id",
    "to_name",
    "cause",
    "created_at",
)


def delete_tier(
    sessions: sessionmaker[Session],
    shop_id: int,
    tier_id: int,
    move_to: int | None = None,
    *,
    actor: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Delete a tier; its members move to ``move_to`` (granted for the rest of the period) or
    to the tier below it (or out), each move a ``tier_changes`` entry. Points, bonuses and
    orders' multipliers already earned stay."""
    now = now or utcnow()
    with sessions.begin() as s:
        shop, tiers, tier = tier_in_ladder(s, shop_id, tier_id)
        place = tiers.index(tier)
        target = tiers[place - 1] if place > 0 else None
        if move_to is not None:
            target = next((t for t in tiers if t.id == move_to and t.id != tier_id), None)
            if target is None:
                raise ValidationError({"move_to": "Choose another tier of this shop."})
        moved = _move_members(s, shop, tier, target, granted=move_to is not None, now=now)
        s.execute(
            update(MemberTier)
            .where(MemberTier.shop_id == shop_id, MemberTier.granted_tier_id == tier.id)
            .values(granted_tier_id=None, granted_at=None, granted_until=None)
        )
        s.delete(tier)
        for position, each in enumerate(t for t in tiers if t is not tier):
            each.position = position
        s.flush()
        audit.record(s, shop_id, "staff", actor, "tiers.update", detail="deleted")
        return {
            "deleted": str(tier_id),
            "members_moved": moved,
            "moved_to": None if target is None else {"id": str(target.id), "name": target.name},
        }


def _move_members(
    s: Session, shop: Shop, tier: Tier, target: Tier | None, *, granted: bool, now: datetime
) -> int:
    """Move the deleted tier's members in two statements: their history, then the move."""
    s.execute(
        insert(TierChange).from_select(
            [*_CHANGE_COLUMNS],
            select(
                literal(shop.id),
                MemberTier.member_id,
                literal(tier.id),
                literal(tier.name),
                literal(target.id) if target else null(),
                literal(target.name) if target else null(),
                literal("tier_deleted"),
                literal(now, UTCDateTime()),
            ).where(MemberTier.shop_id == shop.id, MemberTier.tier_id == tier.id),
        )
    )
    values: dict[str, Any] = {"tier_id": target.id if target else None, "since": now}
    if granted and target is not None:
        values.update(
            granted_tier_id=target.id, granted_at=now, granted_until=_period_end(s, shop, tier, now)
        )
    moved = s.execute(
        update(MemberTier)
        .where(MemberTier.shop_id == shop.id, MemberTier.tier_id == tier.id)
        .values(**values)
    )
    return int(moved.rowcount)  # type: ignore[attr-defined]


def _period_end(s: Session, shop: Shop, tier: Tier, now: datetime) -> datetime | None:
    """When a grant made ``now`` ends: never (lifetime), in 12 months, or at the year's end."""
    if tier.period == TierPeriod.ROLLING_12_MONTHS:
        return months_before(now, -12)
    if tier.period == TierPeriod.CALENDAR_YEAR:
        local = now.astimezone(shop_zone(s, shop.id))
        return local.replace(
            year=local.year + 1, month=1, day=1, hour=0, minute=0, second=0, microsecond=0
        )
    return None
