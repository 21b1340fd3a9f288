"""Referrals in a customer's export and their erasure (DESIGN.md invariant 8).

A referral row holds the friend's email (and Shopify customer id): the friend's personal data.
The referrer's export lists the referrals they made with those emails masked; the friend's
export holds the row of their own sign-up whole. Erasing either person blanks the email (and,
for the friend, the customer id) on the rows; points, states and dates stay, anonymous, and a
settled referral stays settled (:mod:`loyalty.club.referral_payouts` leaves a row without a
friend alone). The referrer's code is deleted with them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from loyalty.club.referral_view import masked, referral_json
from loyalty.core.models import Member, Referral, ReferralCode


def export_referrals(
    s: Session, shop_id: int, member: Member | None, customer_id: int
) -> dict[str, Any]:
    """``referral_code``, ``referrals_made`` (friends masked) and ``referred_by`` (the
    customer's own sign-up as a friend, with the email and consent time they gave)."""
    code = (
        s.scalar(select(ReferralCode.code).where(ReferralCode.member_id == member.id))
        if member is not None
        else None
    )
    made: list[Referral] = (
        list(
            s.scalars(
                select(Referral)
                .where(Referral.shop_id == shop_id, Referral.referrer_id == member.id)
                .order_by(Referral.id)
            )
        )
        if member is not None
        else []
    )
    own = s.scalars(
        select(Referral).where(
            Referral.shop_id == shop_id, Referral.friend_customer_id == customer_id
        )
    ).first()
    return {
        "referral_code": code,
        "referrals_made": [referral_json(r, email=masked(r.friend_email)) for r in made],
        "referred_by": None
        if own is None
        else {
            **referral_json(own, email=own.friend_email),
            "discount_code": own.code,
            "consented_at": own.consented_at.isoformat(),
        },
    }


def forget_referrals(
    s: Session, shop_id: int, customer_id: int, member_id: int | None, email_key: str | None
) -> None:
    """Blank the friend's data on every referral this customer made or was referred by, and
    delete their code (in the caller's transaction)."""
    if member_id is not None:
        s.execute(delete(ReferralCode).where(ReferralCode.member_id == member_id))
        s.execute(
            update(Referral)
            .where(Referral.shop_id == shop_id, Referral.referrer_id == member_id)
            .values(friend_email=None)
        )
    as_friend = [Referral.friend_customer_id == customer_id]
    if email_key:
        as_friend.append(Referral.friend_email == email_key)
    s.execute(
        update(Referral)
        .where(Referral.shop_id == shop_id, or_(*as_friend))
        .values(friend_email=None, friend_customer_id=None)
    )
