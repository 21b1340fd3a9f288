"""The merchant's ladder of tiers (``/api/tiers``): list, create, change, reorder, delete.

Every change locks the shop's row first, so two edits of one ladder never interleave, checks
the whole ladder after the change (:mod:`loyalty.club.tier_rules`), and is audited
(``tiers.update``). A new tier takes its place by its threshold; a change keeps the tier's
place, so a threshold that would pass a neighbour's is refused: :func:`set_ladder` reorders
(and may change every threshold, the basis and the period) in one step. Members' standing
follows in a job (``jobs.tiers``); deleting a tier moves its members at once
(:mod:`loyalty.club.tier_removal`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.tier_rules import (
    TIER_FIELDS,
    InvalidField,
    Step,
    ladder_errors,
    parse_threshold,
    threshold_message,
    validate_tier,
)
from loyalty.core.errors import NotFound, ValidationError
from loyalty.core.ids import id_from_json
from loyalty.core.models import (
    Member,
    MemberStatus,
    MemberTier,
    Shop,
    Tier,
    TierBasis,
    TierPeriod,
)
from loyalty.core.types import utcnow
from loyalty.privacy import audit

NOT_FOUND = "This shop has no such tier."


def threshold_json(basis: str, value: Decimal) -> int | str:
    """Whole points or orders as a number; money as a decimal string."""
    if basis == TierBasis.SPEND:
        return format(value.normalize(), "f")
    return int(value)


def tier_json(tier: Tier, currency: str, members: int | None = None) -> dict[str, Any]:
    """A tier as the API shows it (ids as strings, money and the multiplier as strings)."""
    found: dict[str, Any] = {
        "id": str(tier.id),
        "position": tier.position,
        "name": tier.name,
        "basis": tier.basis,
        "threshold": threshold_json(tier.basis, tier.threshold),
        "currency": currency,
        "period": tier.period,
        "earn_multiplier": format(tier.earn_multiplier.normalize(), "f"),
        "perks": tier.perks,
        "entry_bonus": tier.entry_bonus,
        "recurring_reward": tier.recurring_reward,
    }
    if members is not None:
        found["members"] = members
    return found


def locked_shop(s: Session, shop_id: int, lock: bool = True) -> Shop:
    query = select(Shop).where(Shop.id == shop_id)
    shop = s.scalars(query.with_for_update() if lock else query).one_or_none()
    if shop is None:
        raise NotFound("no such shop")
    return shop


def ladder_tiers(s: Session, shop_id: int) -> list[Tier]:
    return list(
        s.scalars(select(Tier).where(Tier.shop_id == shop_id).order_by(Tier.position, Tier.id))
    )


def tier_in_ladder(s: Session, shop_id: int, tier_id: int) -> tuple[Shop, list[Tier], Tier]:
    """The shop (locked), its ladder, and the tier with this id in it (NotFound if none)."""
    shop = locked_shop(s, shop_id)
    tiers = ladder_tiers(s, shop_id)
    tier = next((t for t in tiers if t.id == tier_id), None)
    if tier is None:
        raise NotFound(NOT_FOUND)
    return shop, tiers, tier


def _steps(tiers: Sequence[Tier]) -> list[Step]:
    return [Step(t.basis, t.period, t.threshold) for t in tiers]


def _check(tiers: Sequence[Tier], field: str) -> None:
    """Refuse a ladder whose thresholds do not increase, or that mixes bases or periods."""
    steps = _steps(tiers)
    errors, position = ladder_errors(steps)
    if position is not None:
        errors[field.format(position=position)] = threshold_message(steps, position)
    if errors:
        raise ValidationError(errors)


def member_counts(s: Session, shop_id: int) -> tuple[dict[int, int], int]:
    """Members (not anonymised) per tier id, and those in no tier."""
    counted = s.execute(
        select(MemberTier.tier_id, func.count())
        .join(Member, Member.id == MemberTier.member_id)
        .where(MemberTier.shop_id == shop_id, Member.status != MemberStatus.ANONYMISED)
        .group_by(MemberTier.tier_id)
    ).all()
    total = s.scalar(
        select(func.count()).where(
            Member.shop_id == shop_id, Member.status != MemberStatus.ANONYMISED
        )
    )
    per_tier = {tier_id: int(n) for tier_id, n in counted if tier_id is not None}
    return per_tier, int(total or 0) - sum(per_tier.values())


def list_tiers(sessions: sessionmaker[Session], shop_id: int) -> dict[str, Any]:
    """The shop's ladder, lowest first, with how many members each tier has."""
    with sessions() as s:
        shop = locked_shop(s, shop_id, lock=False)
        counts, without = member_counts(s, shop_id)
        tiers = ladder_tiers(s, shop_id)
        return {
            "tiers": [tier_json(t, shop.currency, counts.get(t.id, 0)) for t in tiers],
            "members_without_tier": without,
            "currency": shop.currency,
        }


def create_tier(
    sessions: sessionmaker[Session],
    shop_id: int,
    data: Mapping[str, Any],
    *,
    actor: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Add a tier, placed by its threshold; the tier as JSON."""
    values = validate_tier(data)
    now = now or utcnow()
    with sessions.begin() as s:
        shop = locked_shop(s, shop_id)
        tiers = ladder_tiers(s, shop_id)
        tier = Tier(shop_id=shop_id, created_at=now, updated_at=now, **values)
        place = next((i for i, t in enumerate(tiers) if t.threshold > tier.threshold), len(tiers))
        tiers.insert(place, tier)
        _check(tiers, "threshold")
        for position, each in enumerate(tiers):
            each.position = position
        s.add(tier)
        s.flush()
        audit.record(s, shop_id, "staff", actor, "tiers.update", detail="created")
        return tier_json(tier, shop.currency, 0)


def update_tier(
    sessions: sessionmaker[Session],
    shop_id: int,
    tier_id: int,
    data: Mapping[str, Any],
    *,
    actor: str | None = None,
) -> dict[str, Any]:
    """Change some of a tier's fields (its place stays); the tier after, as JSON."""
    with sessions.begin() as s:
        shop, tiers, tier = tier_in_ladder(s, shop_id, tier_id)
        values = validate_tier(data, tier_json(tier, shop.currency))
        for name in TIER_FIELDS:
            setattr(tier, name, values[name])
        _check(tiers, "threshold")
        s.flush()
        audit.record(s, shop_id, "staff", actor, "tiers.update", detail="changed")
        return tier_json(tier, shop.currency)


def set_ladder(
    sessions: sessionmaker[Session],
    shop_id: int,
    data: Mapping[str, Any],
    *,
    actor: str | None = None,
) -> dict[str, Any]:
    """Reorder the whole ladder, with new thresholds, basis and period if given.

    ``{"tiers": [{"id", "threshold"?}, ...], "basis"?, "period"?}``: every tier once, lowest
    first. A threshold problem is reported on ``tiers[i].threshold``.
    """
    if not isinstance(data, Mapping):
        raise ValidationError({"_body": "Send a JSON object."})
    errors = {str(k)[:100]: "Unknown field." for k in data if k not in ("tiers", "basis", "period")}
    with sessions.begin() as s:
        shop = locked_shop(s, shop_id)
        tiers = {t.id: t for t in ladder_tiers(s, shop_id)}
        order = _ids(data.get("tiers"), tiers)
        if order is None:
            errors["tiers"] = "List every tier of the shop once, lowest first, by its id."
        basis = data.get("basis", next(iter(tiers.values())).basis if tiers else None)
        period = data.get("period", next(iter(tiers.values())).period if tiers else None)
        if basis not in {b.value for b in TierBasis}:
            errors["basis"] = "Choose points, spend or orders."
        if period not in {p.value for p in TierPeriod}:
            errors["period"] = "Choose lifetime, rolling_12_months or calendar_year."
        if errors or order is None:
            raise ValidationError(errors)
        thresholds = []
        for i, (tier_id, given) in enumerate(order):
            tier = tiers[tier_id]
            value = given if given is not None else threshold_json(tier.basis, tier.threshold)
            try:
                thresholds.append(parse_threshold(basis, value))
            except InvalidField as err:
                errors[f"tiers[{i}].threshold"] = str(err)
        if errors:
            raise ValidationError(errors)
        ladder = [tiers[tier_id] for tier_id, _ in order]
        for position, (tier, threshold) in enumerate(zip(ladder, thresholds, strict=True)):
            tier.position, tier.threshold = position, threshold
            tier.basis, tier.period = str(basis), str(period)
        _check(ladder, "tiers[{position}].threshold")
        s.flush()
        audit.record(s, shop_id, "staff", actor, "tiers.update", detail="reordered")
        return {"tiers": [tier_json(t, shop.currency) for t in ladder]}


def _ids(given: Any, tiers: Mapping[int, Tier]) -> list[tuple[int, Any]] | None:
    """``[(tier id, threshold or None)]`` if ``given`` names every tier once, else None."""
    if not isinstance(given, list) or len(given) != len(tiers):
        return None
    found: list[tuple[int, Any]] = []
    for item in given:
        if not isinstance(item, Mapping) or not set(item) <= {"id", "threshold"}:
            return None
        tier_id = id_from_json(item.get("id"))
        if tier_id is None or tier_id not in tiers or any(tier_id == seen for seen, _ in found):
            return None
        found.append((tier_id, item.get("threshold")))
    return found
