"""Received webhooks: record once, track through the queue, find the ones left behind.

The ``webhook_events`` table is both the dedupe key (invariant 2: one row per Shopify event id)
and the outbox (invariant 3: the row is written before Shopify gets its 200, and a sweeper
re-enqueues rows that were recorded but never processed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Boolean, LargeBinary, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.db import DirectConnections, DirectError
from loyalty.core.models import EventStatus, WebhookEvent
from loyalty.core.types import UTCDateTime, utcnow

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


SHOP_NOT_INSTALLED = "shop not installed"

# One statement, one round trip: the shop's id and whether it is installed are looked up in the
# insert itself. Written for both PostgreSQL and SQLite (3.35+: RETURNING).
_RECORD = text(
    """
    INSERT INTO webhook_events (event_id, webhook_id, topic, shop_domain, shop_id, api_version,
      body, triggered_at, received_at, status, error, attempts, enqueued_at, processed_at)
    SELECT :event_id, :webhook_id, :topic, :shop_domain, d.shop_id, :api_version, :body,
      :triggered_at, :now, d.status, d.error, 0,
      CASE WHEN d.status = 'enqueued' THEN :now END,
      CASE WHEN d.status IN ('rejected', 'ignored', 'processed') THEN :now END
    FROM (
      SELECT s.id AS shop_id,
        CASE WHEN :needs_install AND (s.id IS NULL OR s.installed_at IS NULL
                                      OR s.uninstalled_at IS NOT NULL)
             THEN 'ignored' ELSE :status END AS status,
        CASE WHEN :needs_install AND (s.id IS NULL OR s.installed_at IS NULL
                                      OR s.uninstalled_at IS NOT NULL)
             THEN :not_installed ELSE :error END AS error
      FROM (SELECT 1 AS one) AS q LEFT JOIN shops AS s ON s.domain = :shop_domain
    ) AS d
    WHERE true  -- SQLite needs it to tell this ON CONFLICT from a join's ON
    ON CONFLICT (event_id) DO NOTHING
    RETURNING id, status
    """
).bindparams(
    bindparam("body", type_=LargeBinary()),
    bindparam("triggered_at", type_=UTCDateTime()),
    bindparam("now", type_=UTCDateTime()),
    bindparam("needs_install", type_=Boolean()),
)
_RECORD_PG = str(_RECORD.compile(dialect=pg_psycopg.dialect()))  # type: ignore[no-untyped-call]
_EXISTING_PG = "SELECT id, status FROM webhook_events WHERE event_id = %(event_id)s"


def record(
    sessions: sessionmaker[Session],
    delivery: Delivery,
    *,
    status: EventStatus,
    error: str | None = None,
    needs_install: bool = False,
    direct: DirectConnections | None = None,
) -> Recorded:
    """Insert the event unless its event id is known; return the row either way.

    A new row is written with its first status already decided (``rejected``, ``ignored``, or
    ``enqueued`` for the job the caller is about to queue; with ``needs_install``, ``ignored``
    instead when the shop is not installed), so the intake costs one statement and one commit
    per delivery. A caller whose enqueue then fails puts the row back to ``received``
    (:func:`enqueue_failed`), and the sweeper treats both alike. A duplicate keeps its row's
    status. This is the webhook intake's hot path: on PostgreSQL it runs on ``direct``'s plain
    connection when given (loyalty.core.db.DirectConnections says why), else through the engine.
    """
    params = {
        "event_id": delivery.event_id,
        "webhook_id": delivery.webhook_id,
        "topic": delivery.topic,
        "shop_domain": delivery.shop_domain,
        "api_version": delivery.api_version,
        "body": delivery.body,
        "triggered_at": delivery.triggered_at,
        "now": utcnow(),
        "status": str(status),
        "error": error,
        "needs_install": needs_install,
        "not_installed": SHOP_NOT_INSTALLED,
    }
    if direct is not None:
        row = direct.first(_RECORD_PG, params)
        if row is not None:
            return Recorded(id=row[0], created=True, status=row[1])
        row = direct.first(_EXISTING_PG, {"event_id": delivery.event_id})
        if row is None:  # deleted in between (a shop purge), as .one() below would say
            raise DirectError("the event's row is gone")
        return Recorded(id=row[0], created=False, status=row[1])
    engine = sessions.kw["bind"]
    # One statement needs no BEGIN and COMMIT round trips: it commits by itself.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        inserted = conn.execute(_RECORD, params).first()
        if inserted is not None:
            return Recorded(id=inserted.id, created=True, status=inserted.status)
        existing = conn.execute(
            select(WebhookEvent.id, WebhookEvent.status).where(
                WebhookEvent.event_id == delivery.event_id
            )
        ).one()
        return Recorded(id=existing.id, created=False, status=existing.status)


def enqueue_failed(sessions: sessionmaker[Session], event_ids: Sequence[int]) -> None:
    """Put events whose jobs could not be queued back to ``received`` (for the sweeper)."""
    with sessions.begin() as s:
        s.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id.in_(event_ids), WebhookEvent.status == EventStatus.ENQUEUED)
            .values(status=EventStatus.RECEIVED, enqueued_at=None)
        )


def set_status(
    sessions: sessionmaker[Session],
    event_id: int,
    status: EventStatus,
    error: str | None = None,
    *,
    retry_at: datetime | None = None,
) -> None:
    """Mark an event rejected, ignored, processed or failed (``error`` holds no personal data);
    a failed one with when its next attempt is due (None: no attempt will come by itself)."""
    now = utcnow()
    values: dict[str, object] = {"status": status, "error": error, "retry_at": retry_at}
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
            .values(status=EventStatus.ENQUEUED, enqueued_at=utcnow(), retry_at=None)
        )


@dataclass(frozen=True)
class Attempt:
    """What a job needs of the event it is about to run (read as its attempt is counted)."""

    id: int
    topic: str
    shop_domain: str
    shop_id: int | None
    triggered_at: datetime | None
    received_at: datetime
    body: bytes | None


def start_attempt(s: Session, event_id: int) -> Attempt | None:
    """Count an attempt at an unfinished event and return it; None if already finished.

    One ``UPDATE … RETURNING`` in the caller's transaction: it counts the attempt, takes the
    row's lock and reads what the job needs, so a concurrent run that finished first is seen.
    """
    found = start_attempts(s, [event_id])
    return found[0] if found else None


def start_attempts(s: Session, event_ids: Sequence[int]) -> list[Attempt]:
    """:func:`start_attempt` for many events in one statement, in the order of ``event_ids``;
    the finished ones and repeats are left out."""
    rows = s.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id.in_(event_ids), WebhookEvent.status.not_in(FINISHED))
        .values(attempts=func.coalesce(WebhookEvent.attempts, 0) + 1)
        .returning(
            WebhookEvent.id,
            WebhookEvent.topic,
            WebhookEvent.shop_domain,
            WebhookEvent.shop_id,
            WebhookEvent.triggered_at,
            WebhookEvent.received_at,
            WebhookEvent.body,
        )
        .execution_options(synchronize_session=False)
    ).all()
    by_id = {row.id: Attempt(*row) for row in rows}
    return [by_id[event_id] for event_id in dict.fromkeys(event_ids) if event_id in by_id]


def mark_processed(sessions: sessionmaker[Session], event_ids: Sequence[int]) -> None:
    """Mark many events processed in one statement (a batch's, once all of them ran)."""
    if not event_ids:
        return
    with sessions.begin() as s:
        s.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id.in_(event_ids), WebhookEvent.status.not_in(FINISHED))
            .values(status=EventStatus.PROCESSED, error=None, retry_at=None, processed_at=utcnow())
        )


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


def retries_due(
    sessions: sessionmaker[Session], now: datetime, limit: int = 500
) -> list[tuple[int, str]]:
    """Failed events whose next attempt is due by ``now``, soonest first: (id, topic).

    RQ holds their retries, but only in Redis; the sweeper queues those whose job is gone.
    """
    with sessions() as s:
        rows = s.execute(
            select(WebhookEvent.id, WebhookEvent.topic)
            .where(WebhookEvent.status == EventStatus.FAILED, WebhookEvent.retry_at <= now)
            .order_by(WebhookEvent.retry_at, WebhookEvent.id)
            .limit(limit)
        ).all()
    return [(row.id, row.topic) for row in rows]
