"""What staff see and change about one member in the admin: balance, ledger, adjustments.

Every read of a member's data and every adjustment is written to the audit log with the staff
user's id, in the same transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.club import tier_standing
from loyalty.club.referral_codes import referral_of
from loyalty.club.stamp_view import stamp_cards_of
from loyalty.club.tier_view import member_standing, tier_history
from loyalty.core.errors import NotFound, ValidationError
from loyalty.core.ids import whole_from_json
from loyalty.core.models import LedgerEntry, LedgerKind, Member, MemberStatus, OrderRecord, Shop
from loyalty.core.types import utcnow
from loyalty.members.voucher_lists import vouchers_json
from loyalty.points import ledger, reasons
from loyalty.points.welcome_state import welcome_of
from loyalty.privacy import audit

MAX_ADJUSTMENT = 1_000_000
MAX_REASON = 500
LEDGER_PAGE = 200


def _member(s: Session, shop_id: int, customer_id: int, *, lock: bool = False) -> Member:
    query = select(Member).where(Member.shop_id == shop_id, Member.customer_id == customer_id)
    member = s.scalars(query.with_for_update() if lock else query).first()
    if member is None:
        raise NotFound("This shop has no such member.")
    return member


def _entry(e: LedgerEntry, order_name: str | None = None) -> dict[str, Any]:
    return {
        "id": str(e.id),
        "points": e.points,
        "kind": e.kind,
        "reason": e.reason,
        "reason_code": e.reason_code,
        "reason_params": e.reason_params,
        "order_id": None if e.order_id is None else str(e.order_id),
        "order_name": order_name,
        "actor": e.actor,
        "created_at": e.created_at.isoformat(),
        "available_at": e.available_at.isoformat() if e.available_at else None,
    }


def member_detail(
    sessions: sessionmaker[Session], shop_id: int, customer_id: int, *, staff_user_id: str | None
) -> dict[str, Any]:
    """``GET /api/members/{id}``: balance, status, lifetime points, the newest ledger entries
    and the welcome code."""
    with sessions.begin() as s:
        member = _member(s, shop_id, customer_id)
        shop = s.get(Shop, shop_id)
        entries = s.execute(
            select(LedgerEntry, OrderRecord.order_name)
            .outerjoin(
                OrderRecord,
                and_(
                    OrderRecord.shop_id == LedgerEntry.shop_id,
                    OrderRecord.order_id == LedgerEntry.order_id,
                ),
            )
            .where(LedgerEntry.shop_id == shop_id, LedgerEntry.member_id == member.id)
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
            .limit(LEDGER_PAGE)
        ).all()
        audit.record_read(s, shop_id, staff_user_id, member.id, "ledger")
        return {
            "customer_id": str(member.customer_id),
            "points_balance": member.points_balance,
            "lifetime_points": member.lifetime_points,
            "status": member.status,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "email": member.email,
            "joined_at": member.joined_at.isoformat(),
            "last_activity_at": member.last_activity_at.isoformat()
            if member.last_activity_at
            else None,
            "ledger": [_entry(e, name) for e, name in entries],
            "welcome_code": welcome_of(s, member),
            "referral": referral_of(s, shop, member) if shop is not None else None,
            **_tier(s, shop_id, member.id),
            **vouchers_json(s, shop_id, member.id, utcnow()),
            "stamp_cards": stamp_cards_of(s, shop_id, member.id),
        }


def _tier(s: Session, shop_id: int, member_id: int) -> dict[str, Any]:
    """The member's ``tier``, ``next_tier`` and newest moves between tiers (loyalty.club)."""
    return {
        **member_standing(s, shop_id, member_id),
        "tier_history": tier_history(s, member_id, 20),
    }


class BalanceBelowZero(ValidationError):
    """A staff adjustment that would leave the member owing points, not confirmed as a debt."""

    code = "balance_below_zero"


def _seen(s: Session, shop_id: int, source_key: str) -> bool:
    """Whether this adjustment's key was posted already (a retry answers as before)."""
    return (
        s.scalar(
            select(LedgerEntry.id).where(
                LedgerEntry.shop_id == shop_id, LedgerEntry.source_key == source_key[:200]
            )
        )
        is not None
    )


def _validate_adjustment(body: dict[str, Any]) -> tuple[int, str, bool]:
    fields: dict[str, str] = {}
    points = whole_from_json(body.get("points"))
    if points is None:
        fields["points"] = "Enter a whole number of points, like 50 or -50."
    elif points == 0:
        fields["points"] = "An adjustment of 0 points changes nothing."
    elif abs(points) > MAX_ADJUSTMENT:
        fields["points"] = f"At most {MAX_ADJUSTMENT:,} points at a time."
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        fields["reason"] = "Say why: the member sees this reason in their history."
    elif len(reason) > MAX_REASON:
        fields["reason"] = f"At most {MAX_REASON} characters."
    allow_debt = body.get("allow_debt", False)
    if not isinstance(allow_debt, bool):
        fields["allow_debt"] = "true or false."
    unknown = sorted(set(body) - {"points", "reason", "allow_debt"})
    for name in unknown:
        fields[name[:100]] = "Unknown field."
    if fields:
        raise ValidationError(fields)
    return int(points), str(reason).strip(), bool(allow_debt)  # type: ignore[arg-type]


def adjust_points(
    sessions: sessionmaker[Session],
    shop_id: int,
    customer_id: int,
    body: dict[str, Any],
    *,
    staff_user_id: str | None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """``POST /api/members/{id}/adjustments``: post a manual adjustment once per key.

    The answer carries the internal ``member_id`` for the caller's follow-up work (the view
    drops it before answering). An adjustment that takes the balance below zero is refused
    (``balance_below_zero``) unless the body confirms the debt with ``"allow_debt": true``: a
    typo's extra digits must not quietly leave a member owing a million points. The member row
    is locked first, so two adjustments cannot both pass the check on the same balance.
    """
    points, reason, allow_debt = _validate_adjustment(body)
    key = f"adjust:{idempotency_key or uuid.uuid4()}"
    with sessions.begin() as s:
        member = _member(s, shop_id, customer_id, lock=True)
        if member.status == MemberStatus.ANONYMISED:
            raise ValidationError(
                {"points": "This member's data was erased; nothing can be added."}
            )
        after = member.points_balance + points
        if points < 0 and after < 0 and not allow_debt and not _seen(s, shop_id, key):
            raise BalanceBelowZero(
                {
                    "points": f"This leaves a balance of {after:,} points. Confirm the debt "
                    "to record it, or remove fewer points.",
                },
                "The adjustment would take the balance below zero.",
            )
        posted = ledger.post(
            s,
            shop_id=shop_id,
            member_id=member.id,
            points=points,
            kind=LedgerKind.ADJUST,
            source_key=key[:200],
            reason=reasons.staff_adjustment(reason),
            actor=f"staff:{staff_user_id}" if staff_user_id else "staff",
        )
        if posted:
            audit.record(
                s,
                shop_id,
                "staff",
                staff_user_id,
                "member.adjusted",
                member_id=member.id,
                detail=f"points={points:+d}",
            )
            # An adjustment counts towards a tier when the shop says so (loyalty.club).
            tier_standing.refresh_member(s, shop_id, member.id, utcnow(), "adjustment")
        s.flush()
        s.refresh(member)
        return {
            "customer_id": str(customer_id),
            "member_id": member.id,
            "points_balance": member.points_balance,
            "created": posted,
        }
