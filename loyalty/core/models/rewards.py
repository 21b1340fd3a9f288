"""The reward catalogue and members' redemptions."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from loyalty.core.models.base import ENUM_STR, MONEY, Base, BigIntPK
from loyalty.core.types import UTCDateTime, utcnow


class RewardKind(enum.StrEnum):
    FIXED_AMOUNT = "fixed_amount"
    PERCENTAGE = "percentage"
    FREE_SHIPPING = "free_shipping"


class RedemptionState(enum.StrEnum):
    RESERVED = "reserved"
    ISSUED = "issued"
    USED = "used"
    EXPIRED = "expired"
    RETURNED = "returned"


class Reward(Base):
    """A catalogue item members can redeem points for."""

    __tablename__ = "rewards"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(ENUM_STR)
    title: Mapped[str] = mapped_column(String(255))
    points_cost: Mapped[int] = mapped_column(Integer)
    # Amount off (fixed_amount, shop currency) or fraction 0..1 (percentage); null for shipping.
    value: Mapped[Decimal | None] = mapped_column(MONEY)
    minimum_order: Mapped[Decimal | None] = mapped_column(MONEY)
    code_lifetime_days: Mapped[int | None] = mapped_column(Integer)
    limit_per_member: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Redemption(Base):
    """A member's redemption of a reward: reserved points and the Shopify code issued for it."""

    __tablename__ = "redemptions"
    __table_args__ = (
        UniqueConstraint("shop_id", "member_id", "idempotency_key"),
        Index("ix_redemptions_shop_id_code", "shop_id", "code"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    reward_id: Mapped[int | None] = mapped_column(ForeignKey("rewards.id", ondelete="SET NULL"))
    points: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(ENUM_STR, default=RedemptionState.RESERVED)
    code: Mapped[str | None] = mapped_column(String(64))
    discount_id: Mapped[str | None] = mapped_column(String(100))
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
