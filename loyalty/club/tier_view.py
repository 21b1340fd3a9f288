"""The tier in the member's JSON (admin, widget, ``/proxy/api/me``, the export) and the ladder
the widget shows.

``"tier": {"id", "name"} | null`` and ``"next_tier": {"id", "name", "remaining", "basis",
"threshold", "progress", "currency"?} | null``: ``remaining`` is what the member still needs,
in the basis's unit (whole points or orders, or a decimal string of money with ``currency``),
from the progress stored at the member's last recompute (every order, refund and adjustment,
and nightly). A member in the top tier has no next tier; a shop without tiers gives both null.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from loyalty.club.tier_catalogue import threshold_json, tier_json
from loyalty.core.models import Member, MemberStatus, MemberTier, Tier, TierBasis, TierChange
from loyalty.points.ledger import session_shop

NO_STANDING: dict[str, Any] = {"tier": None, "next_tier": None}


def _tiers(s: Session, shop_id: int) -> list[Tier]:
    return list(
        s.scalars(select(Tier).where(Tier.shop_id == shop_id).order_by(Tier.position, Tier.id))
    )


def standing_json(tiers: Sequence[Tier], row: MemberTier | None, currency: str) -> dict[str, Any]:
    """``tier`` and ``next_tier`` for a member standing as ``row`` says on ``tiers`` (both null
    for a guest, a non-member, or a member not yet placed)."""
    if not tiers or row is None:
        return dict(NO_STANDING)
    held = next((t for t in tiers if t.id == row.tier_id), None)
    above = [t for t in tiers if held is None or t.position > held.position]
    progress = row.progress
    following: dict[str, Any] | None = None
    if above:
        upcoming = above[0]
        basis = upcoming.basis
        following = {
            "id": str(upcoming.id),
            "name": upcoming.name,
            "remaining": threshold_json(basis, max(Decimal(0), upcoming.threshold - progress)),
            "basis": basis,
            "threshold": threshold_json(basis, upcoming.threshold),
            "progress": threshold_json(basis, max(Decimal(0), progress)),
        }
        if basis == TierBasis.SPEND:
            following["currency"] = currency
    return {
        "tier": None if held is None else {"id": str(held.id), "name": held.name},
        "next_tier": following,
    }


def member_standing(s: Session, shop_id: int, member_id: int) -> dict[str, Any]:
    """The member's ``tier`` and ``next_tier`` (admin member page, ``/proxy/api/me``)."""
    tiers = _tiers(s, shop_id)
    if not tiers:
        return dict(NO_STANDING)
    shop = session_shop(s, shop_id)
    row = s.get(MemberTier, member_id)
    return standing_json(tiers, row, shop.currency if shop is not None else "")


def storefront_tiers(
    s: Session, shop_id: int, customer_id: int | None, currency: str
) -> dict[str, Any]:
    """``GET /proxy/api/member``'s ladder (with each tier's perks) and the shopper's standing:
    one statement for a shop without tiers, two with."""
    tiers = _tiers(s, shop_id)
    if not tiers:
        return {"tiers": [], **NO_STANDING}
    row = None
    if customer_id is not None:
        row = s.scalar(
            select(MemberTier)
            .join(Member, Member.id == MemberTier.member_id)
            .where(
                Member.shop_id == shop_id,
                Member.customer_id == customer_id,
                Member.status != MemberStatus.ANONYMISED,
            )
        )
    return {
        "tiers": [public_tier(t, currency) for t in tiers],
        **standing_json(tiers, row, currency),
    }


def public_tier(tier: Tier, currency: str) -> dict[str, Any]:
    """A tier as shoppers may see it: name, what it takes, its multiplier and perks."""
    shown = tier_json(tier, currency)
    return {name: shown[name] for name in _PUBLIC}


_PUBLIC = (
    "id",
    "name",
    "basis",
    "threshold",
    "currency",
    "period",
    "earn_multiplier",
    "perks",
    "entry_bonus",
    "recurring_reward",
)


def tier_history(s: Session, member_id: int, limit: int | None = None) -> list[dict[str, Any]]:
    """The member's moves between tiers, newest first (the export takes them all)."""
    query = (
        select(TierChange)
        .where(TierChange.member_id == member_id)
        .order_by(TierChange.created_at.desc(), TierChange.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        {
            "from": c.from_name,
            "to": c.to_name,
            "cause": c.cause,
            "created_at": c.created_at.isoformat(),
        }
        for c in s.scalars(query)
    ]


def tiers_of_members(s: Session, member_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """``{member id: {"id", "name"}}`` for those of the members in a tier (the members list)."""
    if not member_ids:
        return {}
    rows = s.execute(
        select(MemberTier.member_id, Tier.id, Tier.name)
        .join(Tier, Tier.id == MemberTier.tier_id)
        .where(MemberTier.member_id.in_(member_ids))
    )
    return {member_id: {"id": str(tier_id), "name": name} for member_id, tier_id, name in rows}


def in_tier(tier: str) -> ColumnElement[bool]:
    """The members list's filter: members in the tier with this id, or in none (``"none"``)."""
    if tier == "none":
        placed = select(MemberTier.member_id).where(MemberTier.tier_id.is_not(None))
        return Member.id.not_in(placed)
    return Member.id.in_(select(MemberTier.member_id).where(MemberTier.tier_id == int(tier)))
