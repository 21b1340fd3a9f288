"""GDPR requests, the trace a redacted shop leaves, and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from loyalty.core.models.base import ENUM_STR, Base, BigIntPK
from loyalty.core.types import UTCDateTime, utcnow


class PrivacyRequestKind(enum.StrEnum):
    DATA_REQUEST = "data_request"
    CUSTOMER_REDACT = "customer_redact"
    SHOP_REDACT = "shop_redact"
    MEMBER_EXPORT = "member_export"
    MEMBER_LEAVE = "member_leave"
    MEMBER_INACTIVE = "member_inactive"
    """Anonymised by the retention sweep after the shop's months of inactivity."""


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
