"""Received webhooks: record once, track through the queue, find the ones left behind.

The ``webhook_events`` table is both the dedupe key (invariant 2: one row per Shopify event id)
and the outbox (invariant 3: the row is written before Shopify gets its 200, and a sweeper
re-enqueues rows that were recorded but never processed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.db import upsert
from loyalty.models import EventStatus, Shop, WebhookEvent
from loyalty.types import utcnow

FINISHED = (EventStatus.PROCESSED, EventStatus.REJECTED, EventStatus.IGNORED)


@dataclass(frozen=True)
class Delivery:
    """One webhook delivery as received, already verified."""

    event_id: str
    webhook_id: str | None
    topic: str
    shop_domain: str
    api_version: str | None
    triggered_at: datetime | None
    body: bytes


@dataclass(frozen=True)
class Recorded:
    """The outcome of recording a delivery: its row id, and whether this delivery was new."""

    id: int
    created: bool
    status: str
    shop_installed: bool


def record(sessions: sessionmaker[Session], delivery: Delivery) -> Recorded:
    """Insert the event unless its event id is known; return the row either way."""
    with sessions.begin() as s:
        shop = s.scalars(select(Shop).where(Shop.domain == delivery.shop_domain)).first()
        values = {
            "event_id": delivery.event_id,
            "webhook_id": delivery.webhook_id,
            "topic": delivery.topic,
            "shop_domain": delivery.shop_domain,
            "shop_id": shop.id if shop else None,
            "api_version": delivery.api_version,
            "body": delivery.body,
            "triggered_at": delivery.triggered_at,
            "received_at": utcnow(),
            "status": EventStatus.RECEIVED,
            "attempts": 0,
        }
        inserted = s.execute(
            upsert(s, WebhookEvent)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(WebhookEvent.id)
        ).scalar()
        row = s.execute(
            select(WebhookEvent.id, WebhookEvent.status).where(
                WebhookEvent.event_id == delivery.event_id
            )
        ).one()
        return Recorded(
            id=row.id,
            created=inserted is not None,
            status=row.status,
            shop_installed=bool(shop and shop.is_installed),
        )


def set_status(
    sessions: sessionmaker[Session], event_id: int, status: EventStatus, error: str | None = None
) -> None:
    """Mark an event rejected, ignored, processed or failed (``error`` holds no personal data)."""
    now = utcnow()
    values: dict[str, object] = {"status": status, "error": error}
    if status in FINISHED:
        values["processed_at"] = now
    with sessions.begin() as s:
        s.execute(update(WebhookEvent).where(WebhookEvent.id == event_id).values(**values))


def mark_enqueued(sessions: sessionmaker[Session], event_id: int) -> None:
    """Note that a job for the event is on its queue (unless it already finished)."""
    with sessions.begin() as s:
        s.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event_id, WebhookEvent.status.not_in(FINISHED))
            .values(status=EventStatus.ENQUEUED, enqueued_at=utcnow())
        )


def start_attempt(s: Session, event_id: int) -> WebhookEvent | None:
    """Load an event for processing inside the caller's transaction; None if already finished."""
    event = s.get(WebhookEvent, event_id)
    if event is None or event.status in FINISHED:
        return None
    event.attempts = (event.attempts or 0) + 1
    return event


def stranded(sessions: sessionmaker[Session], older_than: timedelta, limit: int = 500) -> list[int]:
    """Events recorded or enqueued more than ``older_than`` ago and still not processed."""
    cutoff = utcnow() - older_than
    with sessions() as s:
        return list(
            s.scalars(
                select(WebhookEvent.id)
                .where(
                    WebhookEvent.status.in_((EventStatus.RECEIVED, EventStatus.ENQUEUED)),
                    func.coalesce(WebhookEvent.enqueued_at, WebhookEvent.received_at) < cutoff,
                )
                .order_by(WebhookEvent.id)
                .limit(limit)
            )
        )
