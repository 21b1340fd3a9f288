"""Received webhooks: the dedupe key and the outbox."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from loyalty.core.models.base import ENUM_STR, Base, BigIntPK
from loyalty.core.types import UTCDateTime, utcnow


class EventStatus(enum.StrEnum):
    RECEIVED = "received"
    ENQUEUED = "enqueued"
    PROCESSED = "processed"
    FAILED = "failed"
    REJECTED = "rejected"
    IGNORED = "ignored"


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
    # A failed event's next attempt is due then (RQ's retry, kept here too: the outbox sweeper
    # queues it again if Redis lost it); NULL when no attempt will come by itself.
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
