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
    FREE_PRODUCT = "free_product"  # one unit of a variant: a code for its price, once per order
    GIFT_CARD = "gift_card"  # a Shopify gift card of ``value``
    STORE_CREDIT = "store_credit"  # ``value`` of store credit, where the shop has it


class PriceChange(enum.StrEnum):
    """What a free-product reward does when its variant's price changes in Shopify."""

    FOLLOW = "follow"  # the code is for the new price
    PAUSE = "pause"  # the reward pauses until the merchant looks at it


class RewardPause(enum.StrEnum):
    """Why a free-product reward is paused (null: it is not)."""

    PRODUCT_DELETED = "product_deleted"
    PRICE_CHANGED = "price_changed"


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
    # free_product: the Shopify variant (and its product, its title as last seen); ``value``
    # is the variant's price when last checked.
    product_id: Mapped[int | None] = mapped_column(BigInteger)
    variant_id: Mapped[int | None] = mapped_column(BigInteger)
    product_title: Mapped[str | None] = mapped_column(String(255))
    on_price_change: Mapped[str | None] = mapped_column(ENUM_STR)
    paused: Mapped[str | None] = mapped_column(ENUM_STR)  # a RewardPause, null when not
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
    # The Shopify object issued: a DiscountCodeNode, GiftCard or store credit transaction gid.
    discount_id: Mapped[str | None] = mapped_column(String(100))
    # gift_card: the code's last characters, kept; ``code`` holds the full code only until the
    # member has been shown it once. gift_card, store_credit, free_product: the amount issued.
    last_characters: Mapped[str | None] = mapped_column(String(8))
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
