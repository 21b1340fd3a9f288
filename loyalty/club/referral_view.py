"""Referrals as people see them: the member's own (widget) and the shop's report (admin).

The referrer sees each friend's email masked (``k•••@example.com``): the address is the
friend's, not theirs. Staff see it whole, and the read is audited like a member's page.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import Member, Referral, ReferralOutcome
from loyalty.privacy import audit

MINE = 20
PAGE = 50


def masked(email: str | None) -> str | None:
    """``kari@example.com`` as ``k•••@example.com``; None once erased."""
    if not email or "@" not in email:
        return None
    name, _, domain = email.partition("@")
    return f"{name[:1]}\u2022\u2022\u2022@{domain}"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def referral_json(row: Referral, *, email: str | None) -> dict[str, Any]:
    """One referral: its state (``outcome``), the friend's code state, points, dates."""
    return {
        "id": str(row.id),
        "friend_email": email,
        "state": row.outcome,
        "code_state": row.state,
        "points": row.rewarded_points,
        "points_promised": row.points,
        "order_id": None if row.order_id is None else str(row.order_id),
        "created_at": _iso(row.created_at),
        "settled_at": _iso(row.settled_at),
    }


def my_referrals(s: Session, shop_id: int, member_id: int) -> list[dict[str, Any]]:
    """The member's newest referrals (20), friends' emails masked."""
    rows = s.scalars(
        select(Referral)
        .where(Referral.shop_id == shop_id, Referral.referrer_id == member_id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
        .limit(MINE)
    )
    return [referral_json(r, email=masked(r.friend_email)) for r in rows]


def referral_report(
    sessions: sessionmaker[Session],
    shop_id: int,
    *,
    page: int = 1,
    staff_user_id: str | None = None,
) -> dict[str, Any]:
    """``GET /api/referrals``: counts per state, points paid, and a page of referrals (newest
    first) with their referrers."""
    with sessions.begin() as s:
        counts = {outcome.value: 0 for outcome in ReferralOutcome}
        for outcome, count in s.execute(
            select(Referral.outcome, func.count())
            .where(Referral.shop_id == shop_id)
            .group_by(Referral.outcome)
        ):
            counts[str(outcome)] = int(count)
        paid = s.scalar(
            select(func.coalesce(func.sum(Referral.rewarded_points), 0)).where(
                Referral.shop_id == shop_id
            )
        )
        rows = s.execute(
            select(Referral, Member.customer_id, Member.first_name, Member.last_name)
            .join(Member, Member.id == Referral.referrer_id)
            .where(Referral.shop_id == shop_id)
            .order_by(Referral.created_at.desc(), Referral.id.desc())
            .limit(PAGE + 1)
            .offset((page - 1) * PAGE)
        ).all()
        if rows:
            audit.record(s, shop_id, "staff", staff_user_id, "referrals.read", detail="report")
        items = [
            {
                **referral_json(r, email=r.friend_email),
                "referrer": {
                    "customer_id": str(customer_id),
                    "name": " ".join(p for p in (first, last) if p) or None,
                },
            }
            for r, customer_id, first, last in rows[:PAGE]
        ]
        return {
            "counts": counts,
            "points_paid": int(paid or 0),
            "referrals": items,
            "page": page,
            "has_more": len(rows) > PAGE,
        }
