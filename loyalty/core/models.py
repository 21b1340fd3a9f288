"""Klubb's tables, as SQLAlchemy 2.0 typed models (DESIGN.md, "Data model").

Shopify ids exceed 2^53: they are BIGINT here and strings in JSON. Money is ``Numeric``
(``Decimal`` in Python) in the shop's currency; points are integers. Every row that belongs to
a shop carries ``shop_id`` so that every query can be scoped by shop (invariant 7).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from loyalty.core.types import UTCDateTime, utcnow

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")
MONEY = Numeric(20, 4)
# Enums are stored as plain strings: readable in SQL, no database enum type to migrate.
ENUM_STR = String(20)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so Alembic names constraints the same way."""

    metadata = MetaData(naming_convention=NAMING)


class MemberStatus(enum.StrEnum):
    ACTIVE = "active"
    RESTRICTED = "restricted"
    ANONYMISED = "anonymised"


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


class EventStatus(enum.StrEnum):
    RECEIVED = "received"
    ENQUEUED = "enqueued"
    PROCESSED = "processed"
    FAILED = "failed"
    REJECTED = "rejected"
    IGNORED = "ignored"


class TombstoneReason(enum.StrEnum):
    REDACTED = "redacted"
    LEFT = "left"


class PrivacyRequestKind(enum.StrEnum):
    DATA_REQUEST = "data_request"
    CUSTOMER_REDACT = "customer_redact"
    SHOP_REDACT = "shop_redact"
    MEMBER_EXPORT = "member_export"
    MEMBER_LEAVE = "member_leave"
    MEMBER_INACTIVE = "member_inactive"
    """Anonymised by the retention sweep after the shop's months of inactivity."""


class Shop(Base):
    """A shop that installed Klubb; tokens are stored encrypted (see ``loyalty.shopify.tokens``)."""

    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    shopify_shop_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(String(255))
    access_token_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    access_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_token_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    refresh_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scopes: Mapped[str] = mapped_column(String(1000), default="")
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    currency: Mapped[str] = mapped_column(String(3), default="NOK")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Oslo")
    locale: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    settings: Mapped[ProgramSettings | None] = relationship(
        back_populates="shop", uselist=False, cascade="all, delete-orphan"
    )

    @property
    def is_installed(self) -> bool:
        """Installed and not uninstalled since, with a token to call Shopify with."""
        return self.installed_at is not None and self.uninstalled_at is None


class ProgramSettings(Base):
    """A shop's loyalty program: the earning rules' parameters (DESIGN.md, "Earning rules")."""

    __tablename__ = "program_settings"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    # Points per whole unit of the shop's currency.
    earn_rate: Mapped[Decimal] = mapped_column(Numeric(10, 4), default=Decimal(1))
    signup_bonus: Mapped[int] = mapped_column(Integer, default=100)
    welcome_discount_percent: Mapped[int] = mapped_column(Integer, default=10)
    expiry_months: Mapped[int] = mapped_column(Integer, default=12)
    auto_enrol: Mapped[bool] = mapped_column(Boolean, default=True)
    pending_days: Mapped[int] = mapped_column(Integer, default=0)
    # Retention periods (loyalty.privacy.retention; bounds in loyalty.points.settings).
    inactive_member_months: Mapped[int] = mapped_column(Integer, default=24)
    webhook_body_days: Mapped[int] = mapped_column(Integer, default=30)
    export_days: Mapped[int] = mapped_column(Integer, default=30)
    audit_months: Mapped[int] = mapped_column(Integer, default=24)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    shop: Mapped[Shop] = relationship(back_populates="settings")


class WidgetAppearance(Base):
    """How the storefront widget looks, as the merchant set it in the admin (issue 7)."""

    __tablename__ = "widget_appearances"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    accent_color: Mapped[str] = mapped_column(String(7))
    accent_text_color: Mapped[str] = mapped_column(String(7))
    background_color: Mapped[str] = mapped_column(String(7))
    text_color: Mapped[str] = mapped_column(String(7))
    position: Mapped[str] = mapped_column(String(8))
    # {"en": "Rewards", "nb": "Fordeler"}; a missing language uses the extension's own text.
    launcher_text: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Member(Base):
    """A club member: one Shopify customer in one shop."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("shop_id", "customer_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    first_name: Mapped[str | None] = mapped_column(String(255))
    last_name: Mapped[str | None] = mapped_column(String(255))
    preferred_name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    birthday: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(8))
    notes: Mapped[str | None] = mapped_column(Text)
    points_balance: Mapped[int] = mapped_column(BigInteger, default=0)
    lifetime_points: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(ENUM_STR, default=MemberStatus.ACTIVE)
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The customer's ``updated_at`` of the copy we hold: older customers/update bodies are stale.
    shopify_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when Klubb-owned fields changed and Shopify's metafields are still to be written
    # (jobs.shopify_sync); the push clears it, the sweeper re-enqueues it (the outbox rule).
    fields_push_pending_since: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ConsentEvent(Base):
    """One change of a member's marketing consent, kept as its history (time, source)."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # email | sms
    granted: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set for a change Shopify must hear of (jobs.shopify_sync.push_consent); cleared once
    # pushed (or superseded), re-enqueued by the sweeper while set.
    push_pending_since: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class Tombstone(Base):
    """Keeps late webhooks from re-creating a redacted member, and auto-enrolment off a leaver."""

    __tablename__ = "tombstones"
    __table_args__ = (UniqueConstraint("shop_id", "customer_hash"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    customer_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(ENUM_STR)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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
    __table_args__ = (UniqueConstraint("shop_id", "order_id"),)

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
    # The member was not active when the order would first have earned: it never earns.
    earn_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Ids of the gift-card lines, to tell refunds of them apart (they earn nothing).
    gift_card_line_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # What the order last added to the daily rollups, so a change moves them by the difference.
    rollup_day: Mapped[date | None] = mapped_column(Date)
    rollup_member: Mapped[bool] = mapped_column(Boolean, default=False)
    rollup_revenue: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    # The customer's pseudonymous analytics key (loyalty.analytics.reports.customer_key), and the key
    # the order last counted under in CustomerDayOrders (null: an order without a customer).
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


class WebhookEvent(Base):
    """A received webhook: the dedupe key, the outbox, and (until retention) the raw body."""

    __tablename__ = "webhook_events"
    __table_args__ = (Index("ix_webhook_events_status_received_at", "status", "received_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    webhook_id: Mapped[str | None] = mapped_column(String(100))
    topic: Mapped[str] = mapped_column(String(100))
    shop_domain: Mapped[str] = mapped_column(String(255), index=True)
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    api_version: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    triggered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(ENUM_STR, default=EventStatus.RECEIVED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class PrivacyRequest(Base):
    """A GDPR request (Shopify's or a member's own), due 30 days after receipt."""

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(ENUM_STR)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    customer_hash: Mapped[str | None] = mapped_column(String(64))
    shopify_request_id: Mapped[str | None] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    export_json: Mapped[str | None] = mapped_column(Text)
    export_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A member who left: their customer id, kept only until Klubb's data on the customer in
    # Shopify is removed (jobs.shopify_sync.clean_up_departure); then None.
    shopify_cleanup_customer_id: Mapped[int | None] = mapped_column(BigInteger)


class ShopRedaction(Base):
    """The only trace a shop leaves after ``shop/redact``: that it happened, and when."""

    __tablename__ = "shop_redactions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), index=True)
    redacted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditLog(Base):
    """Who read or changed whose data, what, and when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_shop_id_member_id", "shop_id", "member_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    actor_type: Mapped[str] = mapped_column(String(20))  # staff | member | system
    actor_id: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DailyRollup(Base):
    """Per shop per day figures for analytics, kept current by the workers."""

    __tablename__ = "daily_rollups"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    member_orders: Mapped[int] = mapped_column(Integer, default=0)
    member_revenue: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    guest_orders: Mapped[int] = mapped_column(Integer, default=0)
    guest_revenue: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    new_members: Mapped[int] = mapped_column(Integer, default=0)
    points_issued: Mapped[int] = mapped_column(BigInteger, default=0)
    points_redeemed: Mapped[int] = mapped_column(BigInteger, default=0)
    points_expired: Mapped[int] = mapped_column(BigInteger, default=0)


class CustomerDayOrders(Base):
    """How many orders one customer placed on one shop-local day, as member or not.

    Kept by the workers beside DailyRollup (loyalty.points.orders), so that distinct customers and
    repeat buyers over any period are exact without reading orders (loyalty.analytics.reports). The
    customer is a keyed hash, not the Shopify id: the row outlives a redaction anonymously.
    """

    __tablename__ = "customer_day_orders"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    member: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    customer_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer, default=0)


# A customer's days in order, for keeping CustomerDayCounts (loyalty.analytics.customer_counts).
Index(
    "ix_customer_day_orders_shop_id_customer_key_day",
    CustomerDayOrders.shop_id,
    CustomerDayOrders.customer_key,
    CustomerDayOrders.day,
)

# PostgreSQL's integer arrays; the embedded SQLite database keeps the same lists as JSON.
IntArray = ARRAY(Integer).with_variant(JSON(), "sqlite")


class CustomerDayCounts(Base):
    """Per shop, series and day: the customers of that day by how long since their last order.

    A series is the orders placed as a member, as a non-member, or all of them
    (``loyalty.analytics.customer_counts.Series``). ``by_gap[t]`` (1-based) counts the customers whose
    day this is and whose previous day in the series is at least ``t`` days earlier (or who
    have none); ``single_firsts[t]`` counts those whose first day in the series this is, with
    one order, and whose next day comes at least ``t`` days later (or never). Gaps are capped
    at ``customer_counts.CAP``. Both arrays are stored without their repeated tail (a position
    past the end holds the last value; an empty array is all zeros). Any period's distinct and
    repeat customers then take one array element per day (loyalty.analytics.reports).
    """

    __tablename__ = "customer_day_counts"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    series: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer, default=0)
    by_gap: Mapped[list[int]] = mapped_column(IntArray)
    single_firsts: Mapped[list[int]] = mapped_column(IntArray)


class Backfill(Base):
    """A shop's backfill of existing customers and past orders: options, phase and progress.

    One row per shop; a new run resets it (``run`` counts them). ``lines_done`` is how many lines
    of the current phase's JSONL file are applied, so a retried job resumes where one stopped.
    """

    __tablename__ = "backfills"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    run: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(ENUM_STR, default="queued")
    phase: Mapped[str] = mapped_column(ENUM_STR, default="customers")
    # None: every order Shopify lets the app read (60 days without read_all_orders).
    orders_since_days: Mapped[int | None] = mapped_column(Integer)
    award_points: Mapped[bool] = mapped_column(Boolean, default=False)
    signup_bonus: Mapped[bool] = mapped_column(Boolean, default=False)
    bulk_operation_id: Mapped[str | None] = mapped_column(String(100))
    lines_done: Mapped[int] = mapped_column(BigInteger, default=0)
    customers_seen: Mapped[int] = mapped_column(BigInteger, default=0)
    customers_enrolled: Mapped[int] = mapped_column(BigInteger, default=0)
    orders_seen: Mapped[int] = mapped_column(BigInteger, default=0)
    orders_recorded: Mapped[int] = mapped_column(BigInteger, default=0)
    orders_awarded: Mapped[int] = mapped_column(BigInteger, default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ImportRun(Base):
    """One CSV import of members and balances (``loyalty.imports``): a dry run or an apply.

    ``content`` holds the uploaded file only until the run has finished (a job re-reads it);
    the per-row outcomes are :class:`ImportRow`.
    """

    __tablename__ = "import_runs"
    __table_args__ = (Index("ix_import_runs_shop_id_id", "shop_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(ENUM_STR, default="queued")
    mode: Mapped[str] = mapped_column(ENUM_STR)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str | None] = mapped_column(String(255))
    file_hash: Mapped[str] = mapped_column(String(64))
    mapping: Mapped[list[dict[str, str | None]]] = mapped_column(JSON, default=list)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    actor: Mapped[str] = mapped_column(String(100), default="staff")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImportRow(Base):
    """What one line of an import did (or, in a dry run, would do)."""

    __tablename__ = "import_rows"
    __table_args__ = (UniqueConstraint("run_id", "line"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(ENUM_STR)
    email: Mapped[str | None] = mapped_column(String(320))
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    points: Mapped[int | None] = mapped_column(BigInteger)
    points_from: Mapped[int | None] = mapped_column(BigInteger)
    points_to: Mapped[int | None] = mapped_column(BigInteger)
    error_code: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(String(300))
