"""Order lines (with their refunds) and the stamp cards counted on them.

``order_lines`` and ``order_line_refunds`` are the facts of an order per line, stored like
``order_records`` and ``order_refunds`` (a refund before its order is kept); stamps read them,
and so may other per-product work (margins). A line's ``stamp_card_ids`` are the cards it
counts for, decided once when the line is first recorded (loyalty.club.stamp_matching).

The stamp ledger (``stamp_entries``) is to stamps what ``ledger_entries`` is to points: signed,
append-only, unique per (shop, source key); ``stamp_card_members`` is a member's running sum
on a card and the rewards it earned; ``stamp_rewards`` is unique per (card, member, fill).
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
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


class OrderLine(Base):
    """One line item of an order as its newest body tells (quantity as ordered)."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("shop_id", "order_id", "line_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(BigInteger)
    line_id: Mapped[int] = mapped_column(BigInteger)
    product_id: Mapped[int | None] = mapped_column(BigInteger)
    variant_id: Mapped[int | None] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    # Unit price in the shop's currency (price_set.shop_money), before discounts.
    price: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    gift_card: Mapped[bool] = mapped_column(Boolean, default=False)
    # The stamp cards this line counts for, decided when it was first recorded.
    stamp_card_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrderLineRefund(Base):
    """Units of one line a refund took back (``refund_line_items``), once per refund and line."""

    __tablename__ = "order_line_refunds"
    __table_args__ = (
        UniqueConstraint("shop_id", "refund_id", "line_id"),
        Index("ix_order_line_refunds_shop_id_order_id", "shop_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    refund_id: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[int] = mapped_column(BigInteger)
    line_id: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    subtotal: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StampRewardKind(enum.StrEnum):
    FREE_PRODUCT = "free_product"
    FIXED_AMOUNT = "fixed_amount"
    PERCENTAGE = "percentage"


class StampCard(Base):
    """A merchant's card: which products count, how many stamps fill it, what a full card gives."""

    __tablename__ = "stamp_cards"
    __table_args__ = (Index("ix_stamp_cards_shop_id", "shop_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    # Shopify ids (numbers) of the products and collections it counts.
    product_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    collection_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    stamps_required: Mapped[int] = mapped_column(Integer)
    # {"kind": free_product, "product_id": str} | {"kind": fixed_amount, "amount": str}
    # | {"kind": percentage, "percentage": int}
    reward: Mapped[dict[str, Any]] = mapped_column(JSON)
    repeatable: Mapped[bool] = mapped_column(Boolean, default=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the card counts nothing for now: "product_deleted" / "collection_deleted".
    paused_reason: Mapped[str | None] = mapped_column(String(40))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CollectionProduct(Base):
    """A product of a collection some card counts, as the Admin API last said."""

    __tablename__ = "collection_products"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    collection_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class StampEntry(Base):
    """One movement of stamps on a card for a member (signed); unique per (shop, source key)."""

    __tablename__ = "stamp_entries"
    __table_args__ = (
        UniqueConstraint("shop_id", "source_key"),
        Index("ix_stamp_entries_shop_id_order_id", "shop_id", "order_id"),
        Index("ix_stamp_entries_member_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("stamp_cards.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    stamps: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    source_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StampCardMember(Base):
    """A member on a card: the ledger's sum (``stamps``) and the rewards issued (``rewards``)."""

    __tablename__ = "stamp_card_members"

    card_id: Mapped[int] = mapped_column(
        ForeignKey("stamp_cards.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    stamps: Mapped[int] = mapped_column(Integer, default=0)
    rewards: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StampRewardState(enum.StrEnum):
    PENDING = "pending"  # its code is still to be made in Shopify (jobs.stamps)
    ISSUED = "issued"
    FAILED = "failed"  # Shopify refused the code


class StampReward(Base):
    """The reward of one filling of a card by a member: once per (card, member, fill)."""

    __tablename__ = "stamp_rewards"
    __table_args__ = (
        UniqueConstraint("card_id", "member_id", "fill"),
        Index("ix_stamp_rewards_shop_id_state", "shop_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("stamp_cards.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    fill: Mapped[int] = mapped_column(Integer)
    # The card's reward as it was when the card filled (the card may change later).
    reward: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(ENUM_STR, default=StampRewardState.PENDING)
    code: Mapped[str] = mapped_column(String(64))
    discount_id: Mapped[str | None] = mapped_column(String(100))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_order_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
