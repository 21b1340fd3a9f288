"""The club's VIP tiers: a shop's ladder, each member's standing on it, and its history."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from loyalty.core.models.base import ENUM_STR, MONEY, Base, BigIntPK
from loyalty.core.types import UTCDateTime, utcnow


class TierBasis(enum.StrEnum):
    """What a tier counts: points earned, money spent (net of refunds), or paid orders."""

    POINTS = "points"
    SPEND = "spend"
    ORDERS = "orders"


class TierPeriod(enum.StrEnum):
    """Over which time the basis is counted (the calendar year in the shop's time zone)."""

    LIFETIME = "lifetime"
    ROLLING_12_MONTHS = "rolling_12_months"
    CALENDAR_YEAR = "calendar_year"


class Tier(Base):
    """One rung of a shop's ladder; ``position`` orders them, thresholds increase with it."""

    __tablename__ = "tiers"
    __table_args__ = (Index("ix_tiers_shop_id_position", "shop_id", "position"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    basis: Mapped[str] = mapped_column(ENUM_STR)
    # Whole points or orders, or money in the shop's currency (spend).
    threshold: Mapped[Decimal] = mapped_column(MONEY)
    period: Mapped[str] = mapped_column(ENUM_STR)
    earn_multiplier: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(1))
    # As the merchant typed it: one text for every language, or {"en": ..., "nb": ...}.
    perks: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    entry_bonus: Mapped[int] = mapped_column(Integer, default=0)
    # {"points": int, "every": "month" | "year"} or NULL (loyalty.club.tier_rewards).
    recurring_reward: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MemberTier(Base):
    """A member's standing: the tier held now and the progress it was computed from.

    Kept by :mod:`loyalty.club.tier_standing` on every order, refund, adjustment and nightly; a
    function of the member's facts and the time (never of the order webhooks arrived in).
    """

    __tablename__ = "member_tiers"
    __table_args__ = (Index("ix_member_tiers_shop_id_tier_id", "shop_id", "tier_id"),)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    tier_id: Mapped[int | None] = mapped_column(ForeignKey("tiers.id", ondelete="SET NULL"))
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The basis counted over the period up to ``computed_at`` (points, money or orders).
    progress: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    # A tier given by the merchant (members moved there when theirs was deleted): held at
    # least from ``granted_at`` until ``granted_until`` (NULL: for good).
    granted_tier_id: Mapped[int | None] = mapped_column(ForeignKey("tiers.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    granted_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TierChange(Base):
    """One move of a member between tiers (up, down, or out), with its cause; append-only."""

    __tablename__ = "tier_changes"
    __table_args__ = (Index("ix_tier_changes_member_id_created_at", "member_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    # Ids and names as they were: the tiers may be renamed or deleted since.
    from_tier_id: Mapped[int | None] = mapped_column(BigInteger)
    from_name: Mapped[str | None] = mapped_column(String(60))
    to_tier_id: Mapped[int | None] = mapped_column(BigInteger)
    to_name: Mapped[str | None] = mapped_column(String(60))
    cause: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
