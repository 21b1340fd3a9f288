"""The points ledger and the order facts it is settled against."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from loyalty.core.models.base import ENUM_STR, MONEY, Base, BigIntPK
from loyalty.core.types import UTCDateTime, utcnow


class LedgerKind(enum.StrEnum):
    EARN = "earn"
    REFUND = "refund"
    CANCEL = "cancel"
    REDEEM = "redeem"
    REDEEM_RETURN = "redeem_return"
    EXPIRE = "expire"
    ADJUST = "adjust"
    BONUS = "bonus"
    IMPORT = "import"


class LedgerEntry(Base):
    """One movement of points. Append-only; unique per (shop, source key) for exactly-once."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("shop_id", "source_key"),
        Index("ix_ledger_entries_member_id_created_at", "member_id", "created_at"),
        # What the ledger holds for an order, read on every settlement.
        Index("ix_ledger_entries_shop_id_order_id", "shop_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    points: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(ENUM_STR)
    source_key: Mapped[str] = mapped_column(String(200))
    # Why, as loyalty.points.reasons.ReasonCode and the facts its words need (revision 0013).
    reason_code: Mapped[str] = mapped_column(String(40))
    reason_params: Mapped[dict[str, str | int] | None] = mapped_column(JSON(none_as_null=True))
    # A staff adjustment's own words; for Klubb's codes the English text they stood for before
    # codes existed (kept for the programs that read it; never rendered). NULL once erased.
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100), default="system")
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    # Points earned during the pending period cannot be spent before this time.
    available_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrderRecord(Base):
    """The facts of one order, members' and guests' alike (guests without personal data)."""

    __tablename__ = "order_records"
    __table_args__ = (
        UniqueConstraint("shop_id", "order_id"),
        # A member's orders in time, for their tier (loyalty.club.tier_standing).
        Index("ix_order_records_member_id_ordered_at", "member_id", "ordered_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    paid_subtotal: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    refunded_subtotal: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    financial_status: Mapped[str | None] = mapped_column(String(30))
    paid: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    test: Mapped[bool] = mapped_column(Boolean, default=False)
    source_name: Mapped[str | None] = mapped_column(String(100))
    # Shopify's name for the order as merchants know it ("#1001"); not personal data.
    order_name: Mapped[str | None] = mapped_column(String(64))
    location_id: Mapped[int | None] = mapped_column(BigInteger)
    points_owed: Mapped[int] = mapped_column(BigInteger, default=0)
    # The shop's rate when the order was first seen paid: a later change of rate is not retroactive.
    earn_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    # The tier the member held when the order was placed, and its earn multiplier (a function
    # of the member's earlier facts: loyalty.club.tier_standing.order_tier; NULL: no tier).
    tier_id: Mapped[int | None] = mapped_column(BigInteger)
    tier_name: Mapped[str | None] = mapped_column(String(60))
    tier_multiplier: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    # A double-points campaign's multiplier on this order (loyalty.campaigns.points_boost),
    # read again each time the order is settled; NULL: none.
    campaign_multiplier: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    # The member was not active when the order would first have earned: it never earns.
    earn_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Ids of the gift-card lines, to tell refunds of them apart (they earn nothing).
    gift_card_line_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # What the order last added to the daily rollups, so a change moves them by the difference.
    rollup_day: Mapped[date | None] = mapped_column(Date)
    rollup_member: Mapped[bool] = mapped_column(Boolean, default=False)
    rollup_revenue: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    # The customer's pseudonymous analytics key (loyalty.analytics.customer_days.customer_key), and
    # the key the order last counted under in CustomerDayOrders (null: an order without a customer).
    customer_key: Mapped[int | None] = mapped_column(BigInteger)
    rollup_customer_key: Mapped[int | None] = mapped_column(BigInteger)
    ordered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shopify_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OrderRefund(Base):
    """One refund's facts, stored apart so a refund arriving before its order is not lost."""

    __tablename__ = "order_refunds"
    __table_args__ = (UniqueConstraint("shop_id", "refund_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    refund_id: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[int] = mapped_column(BigInteger, index=True)
    # Refunded merchandise, gift-card lines excluded, as far as the refund itself tells.
    subtotal: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    # Lines not known to be gift cards or not ({line item id: amount}): settled against the
    # order's gift-card lines once the order is known.
    unclassified: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
