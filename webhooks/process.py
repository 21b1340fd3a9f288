"""The RQ job every webhook runs: load the recorded event, dispatch on its topic, mark it done.

Jobs carry only the event row's id (never a payload or personal data). A handler must be
idempotent: the same event can run twice (a retry, a sweeper re-enqueue, a killed worker), and
the ledger's unique source keys make the second run change nothing.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jobs.queueing import next_retry_at
from loyalty.core.errors import ValidationError
from loyalty.core.models import EventStatus, Shop, WebhookEvent
from loyalty.core.payloads import read_body
from loyalty.core.types import utcnow
from loyalty.shopify import webhook_events
from runtime import Runtime, current_runtime
from webhooks.context import EventContext
from webhooks.handlers import HANDLERS

log = logging.getLogger(__name__)


def process_event(event_id: int) -> str:
    """Run the handler for one recorded event; raises (so RQ retries) when the handler fails."""
    rt = current_runtime()
    with rt.sessions.begin() as s:
        attempt = webhook_events.start_attempt(s, event_id)
        if attempt is None:
            return "already finished"
        context = _context(rt, s, attempt)
    outcome = run_attempt(context, attempt.body)
    if outcome == EventStatus.PROCESSED:
        webhook_events.set_status(rt.sessions, event_id, EventStatus.PROCESSED)
    return str(outcome)


def start_batch(rt: Runtime, event_ids: list[int]) -> list[tuple[EventContext, bytes | None]]:
    """Count an attempt at each unfinished event of a batch (one statement); their contexts."""
    with rt.sessions.begin() as s:
        return [
            (_context(rt, s, attempt), attempt.body)
            for attempt in webhook_events.start_attempts(s, event_ids)
        ]


def run_attempt(
    context: EventContext, body: bytes | None, *, retried_now: bool = False
) -> EventStatus:
    """Run the event's handler: ``processed`` (for the caller to record), ``ignored`` or
    ``rejected``.

    A handler that raises ValidationError (the body can never be processed) marks the event
    rejected; any other error marks it failed and is re-raised, so RQ retries it. The failed
    row says when its next attempt is due: when RQ's retry of the current job comes, or now
    with ``retried_now`` (a batch's failure, queued alone at once); the outbox sweeper queues
    it again then if Redis lost it.
    """

    rt = context.rt
    handler = HANDLERS.get(context.topic)
    if handler is None or body is None:
        webhook_events.set_status(
            rt.sessions, context.event_row_id, EventStatus.IGNORED, "no handler or no body"
        )
        return EventStatus.IGNORED
    try:
        handler(context, read_body(body))
    except ValidationError as err:
        # The body breaks a rule no retry can change (its own id missing, or not an id): it
        # is rejected, as the intake rejects a body that is not JSON. Field names, no values.
        webhook_events.set_status(
            rt.sessions,
            context.event_row_id,
            EventStatus.REJECTED,
            f"ValidationError: {', '.join(sorted(err.fields))}"[:200],
        )
        log.warning("event %s (%s) rejected: %s", context.event_row_id, context.topic, err.code)
        return EventStatus.REJECTED
    except Exception as err:
        # The message may quote data from the payload: record and log the type only.
        now = utcnow()
        webhook_events.set_status(
            rt.sessions,
            context.event_row_id,
            EventStatus.FAILED,
            type(err).__name__,
            retry_at=now if retried_now else next_retry_at(now),
        )
        log.warning(
            "event %s (%s) failed: %s", context.event_row_id, context.topic, type(err).__name__
        )
        raise
    return EventStatus.PROCESSED


def _context(rt: Runtime, s: Session, attempt: webhook_events.Attempt) -> EventContext:
    """What a handler is given; the event learns its shop's id if it was recorded without."""
    shop_id = attempt.shop_id
    if shop_id is None:
        shop_id = s.scalar(select(Shop.id).where(Shop.domain == attempt.shop_domain))
        if shop_id is not None:
            s.execute(
                update(WebhookEvent).where(WebhookEvent.id == attempt.id).values(shop_id=shop_id)
            )
    return EventContext(
        rt=rt,
        event_row_id=attempt.id,
        topic=attempt.topic,
        shop_domain=attempt.shop_domain,
        shop_id=shop_id,
        triggered_at=attempt.triggered_at,
        received_at=attempt.received_at,
    )
