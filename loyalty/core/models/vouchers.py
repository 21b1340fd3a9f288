"""Spend-threshold vouchers: the shop's rules, the vouchers members earned, and their ledger."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
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


class VoucherPeriod(enum.StrEnum):
    """Over which time spend is counted (in the shop's time zone)."""

    CALENDAR_MONTH = "calendar_month"
    CALENDAR_YEAR = "calendar_year"
    ROLLING_DAYS = "rolling_days"


class VoucherKind(enum.StrEnum):
    GIFT_CARD = "gift_card"
    DISCOUNT_CODE = "discount_code"


class VoucherState(enum.StrEnum):
    """Where a voucher is in Shopify (``pending``: not made there yet; ``failed``: Shopify
    refused to make it)."""

    PENDING = "pending"
    ACTIVE = "active"
    DISABLED = "disabled"
    USED = "used"
    FAILED = "failed"


class VoucherRule(Base):
    """``Spend {threshold} in a {period}, get a {kind} of {amount}``.

    Deleting a rule only stamps ``deleted_at``: its vouchers stay refund-aware, none is added.
    """

    __tablename__ = "voucher_rules"
    __table_args__ = (Index("ix_voucher_rules_shop_id", "shop_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    threshold: Mapped[Decimal] = mapped_column(MONEY)
    period: Mapped[str] = mapped_column(ENUM_STR)
    period_days: Mapped[int | None] = mapped_column(Integer)
    voucher_kind: Mapped[str] = mapped_column(ENUM_STR)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Voucher(Base):
    """One voucher, once per (rule, member, period): ``qualified`` is what the member's final
    facts say of the period now (:mod:`loyalty.club.voucher_standing`), ``state`` what Shopify
    holds (:mod:`loyalty.club.voucher_sync` moves it towards ``qualified``).

    ``code``: a discount code's code; a gift card's full code only until the member's view has
    shown it once (``code_shown_at``), then only ``last_characters``. ``in_flight`` names the
    Shopify call under way (``create``, ``debit``, ``credit``…), so a retry after a lost answer
    can tell from the card's balance whether it happened. ``debited``: what a disabled gift
    card had taken off, to give back when it is enabled again.
    """

    __tablename__ = "vouchers"
    __table_args__ = (
        UniqueConstraint("shop_id", "rule_id", "member_id", "period_key"),
        Index("ix_vouchers_member_id", "member_id"),
        Index("ix_vouchers_shop_id_state", "shop_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    rule_id: Mapped[int] = mapped_column(ForeignKey("voucher_rules.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(ENUM_STR)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    threshold: Mapped[Decimal] = mapped_column(MONEY)
    spend: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    qualified: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(ENUM_STR, default=VoucherState.PENDING)
    code: Mapped[str | None] = mapped_column(String(64))
    last_characters: Mapped[str | None] = mapped_column(String(8))
    code_shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shopify_id: Mapped[str | None] = mapped_column(String(100))
    in_flight: Mapped[str | None] = mapped_column(String(20))
    debited: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VoucherEventKind(enum.StrEnum):
    REACHED = "reached"  # the period's spend reached the threshold (again)
    FELL = "fell"  # refunds brought it below
    ISSUED = "issued"
    DISABLED = "disabled"
    ENABLED = "enabled"
    USED = "used"
    KEPT = "kept"  # spend fell below after the voucher was used: nothing clawed back
    FAILED = "failed"


class VoucherEvent(Base):
    """The voucher ledger: what happened to a voucher and why; append-only."""

    __tablename__ = "voucher_events"
    __table_args__ = (Index("ix_voucher_events_voucher_id", "voucher_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(ENUM_STR)
    spend: Mapped[Decimal | None] = mapped_column(MONEY)
    detail: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
