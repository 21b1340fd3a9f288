"""Referrals: each member's referral code, and the friends who signed up through one."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalty.core.models.base import ENUM_STR, Base, BigIntPK
from loyalty.core.types import UTCDateTime, utcnow


class ReferralCodeState(enum.StrEnum):
    """The friend's discount code (loyalty.club.referral_signup)."""

    PENDING = "pending"  # recorded; Shopify does not have the code yet
    ISSUED = "issued"  # the code exists in Shopify
    FAILED = "failed"  # Shopify refused the customer or the code; nothing was given


class ReferralOutcome(enum.StrEnum):
    """What became of a referral, as the last settlement found it (loyalty.club.referral_payouts)."""

    SIGNED_UP = "signed_up"  # no order from the friend yet
    ORDERED = "ordered"  # the friend's first order is in its waiting period
    REWARDED = "rewarded"  # the referrer was paid
    NOT_ELIGIBLE = "not_eligible"  # the first order was refunded or cancelled in time
    CAPPED = "capped"  # the referrer's monthly cap was reached


class ReferralCode(Base):
    """A member's referral code: made the first time the member's JSON is shown, kept for good
    (random, so it says nothing about the member)."""

    __tablename__ = "referral_codes"
    __table_args__ = (UniqueConstraint("shop_id", "code"),)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Referral(Base):
    """One friend who signed up through a member's link, and what the referrer is owed for it.

    ``friend_email`` (normalised) is unique per shop: an email is referred once. It is the
    friend's personal data, so it is erased (NULL) when either member is redacted; the amounts,
    dates and states stay. ``points`` is the reward as the settings said at sign-up, so a later
    change of the setting is not retroactive.
    """

    __tablename__ = "referrals"
    __table_args__ = (
        UniqueConstraint("shop_id", "friend_email"),
        Index("ix_referrals_shop_id_friend_customer_id", "shop_id", "friend_customer_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    referrer_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    friend_email: Mapped[str | None] = mapped_column(String(320))
    friend_customer_id: Mapped[int | None] = mapped_column(BigInteger)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    points: Mapped[int] = mapped_column(Integer)
    percent: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(ENUM_STR, default=ReferralCodeState.PENDING)
    code: Mapped[str] = mapped_column(String(32))
    discount_id: Mapped[str | None] = mapped_column(String(100))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(ENUM_STR, default=ReferralOutcome.SIGNED_UP)
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    rewarded_points: Mapped[int] = mapped_column(Integer, default=0)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
