"""Webhook events whose job failed, as the merchant sees them, and putting one back to work.

An event is ``failed`` when its handler raised (``webhooks.process.process_event`` records the
exception's type only, never its message). The merchant sees the shop's failed events — topic,
times, attempts and the error type, never the body — and may retry one: it goes back to
``received`` and its job is enqueued again; the handler's idempotency (unique ledger source
keys) makes a retry of an event that partly ran change nothing twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.errors import NotFound
from loyalty.core.models import EventStatus, WebhookEvent


def list_failed(
    sessions: sessionmaker[Session], shop_id: int, limit: int = 100
) -> list[dict[str, Any]]:
    """The shop's failed events, newest first: id, topic, times, attempts, error type."""
    with sessions() as s:
        rows = s.execute(
            select(
                WebhookEvent.id,
                WebhookEvent.topic,
                WebhookEvent.received_at,
                WebhookEvent.triggered_at,
                WebhookEvent.attempts,
                WebhookEvent.error,
            )
            .where(WebhookEvent.shop_id == shop_id, WebhookEvent.status == EventStatus.FAILED)
            .order_by(WebhookEvent.received_at.desc(), WebhookEvent.id.desc())
            .limit(limit)
        ).all()
    return [
        {
            "id": str(row.id),
            "topic": row.topic,
            "received_at": row.received_at.isoformat(),
            "triggered_at": row.triggered_at.isoformat() if row.triggered_at else None,
            "attempts": int(row.attempts or 0),
            "error": row.error,
        }
        for row in rows
    ]


def reset_for_retry(sessions: sessionmaker[Session], shop_id: int, event_id: int) -> str:
    """Put a failed event of this shop back to ``received``; its topic. NotFound otherwise."""
    with sessions.begin() as s:
        topic = s.scalar(
            update(WebhookEvent)
            .where(
                WebhookEvent.id == event_id,
                WebhookEvent.shop_id == shop_id,
                WebhookEvent.status == EventStatus.FAILED,
            )
            .values(status=EventStatus.RECEIVED, error=None, enqueued_at=None, retry_at=None)
            .returning(WebhookEvent.topic)
        )
    if topic is None:
        raise NotFound(f"no failed event {event_id} in shop {shop_id}")
    return str(topic)
