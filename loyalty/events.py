"""Received webhooks: record once, track through the queue, find the ones left behind.

The ``webhook_events`` table is both the dedupe key (invariant 2: one row per Shopify event id)
and the outbox (invariant 3: the row is written before Shopify gets its 200, and a sweeper
re-enqueues rows that were recorded but never processed).
"""

from __future__ import annotations

from collections.abc import Callable
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


Triage = Callable[[bool], tuple[EventStatus, str | None]]
"""Decides a new event's first status from whether its shop is installed (see :func:`record`)."""


def record(sessions: sessionmaker[Session], delivery: Delivery, triage: Triage) -> Recorded:
    """Insert the event unless its event id is known; return the row either way.

    A new row is written with its first status already decided by ``triage`` (rejected,
    ignored, or ``enqueued`` for the job the caller is about to queue), so the intake commits
    once per delivery; a caller whose enqueue then fails puts the row back to ``received``
    (:func:`enqueue_failed`), and the sweeper treats both alike. A duplicate keeps its row's
    status.
    """
    now = utcnow()
    with sessions.begin() as s:
        shop = s.execute(
            select(Shop.id, Shop.installed_at, Shop.uninstalled_at).where(
                Shop.domain == delivery.shop_domain
            )
        ).first()
        installed = bool(shop and shop.installed_at is not None and shop.uninstalled_at is None)
        status, error = triage(installed)
        inserted = s.execute(
            upsert(s, WebhookEvent)
            .values(
                event_id=delivery.event_id,
                webhook_id=delivery.webhook_id,
                topic=delivery.topic,
                shop_domain=delivery.shop_domain,
                shop_id=shop.id if shop else None,
                api_version=delivery.api_version,
                body=delivery.body,
                triggered_at=delivery.triggered_at,
                received_at=now,
                status=status,
                error=error,
                attempts=0,
                enqueued_at=now if status == EventStatus.ENQUEUED else None,
                processed_at=now if status in FINISHED else None,
            )
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(WebhookEvent.id)
        ).scalar()
        if inserted is not None:
            return Recorded(id=inserted, created=True, status=status, shop_installed=installed)
        row = s.execute(
            select(WebhookEvent.id, WebhookEvent.status).where(
                WebhookEvent.event_id == delivery.event_id
            )
        ).one()
        return Recorded(id=row.id, created=False, status=row.status, shop_installed=installed)


def enqueue_failed(sessions: sessionmaker[Session], event_id: int) -> None:
    """Put an event whose job could not be queued back to ``received`` (for the sweeper)."""
    with sessions.begin() as s:
        s.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event_id, WebhookEvent.status == EventStatus.ENQUEUED)
            .values(status=EventStatus.RECEIVED, enqueued_at=None)
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
