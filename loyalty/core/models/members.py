"""Members, their consent history, and the tombstones that outlive them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from loyalty.core.models.base import ENUM_STR, Base, BigIntPK
from loyalty.core.types import UTCDateTime, utcnow


class MemberStatus(enum.StrEnum):
    ACTIVE = "active"
    RESTRICTED = "restricted"
    ANONYMISED = "anonymised"


class TombstoneReason(enum.StrEnum):
    REDACTED = "redacted"
    LEFT = "left"


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
    # When the member last set, changed or cleared the birthday: a birthday changed shortly
    # before its reward would be due does not pay that year (loyalty.club.birthdays).
    birthday_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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
    # Set when Klubb-owned fields or the status changed and Shopify's metafields and member tag
    # are still to be written (jobs.shopify_sync); the push clears it, the sweeper re-enqueues
    # it (the outbox rule).
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
