"""The RQ job every webhook runs: load the recorded event, dispatch on its topic, mark it done.

Jobs carry only the event row's id (never a payload or personal data). A handler must be
idempotent: the same event can run twice (a retry, a sweeper re-enqueue, a killed worker), and
the ledger's unique source keys make the second run change nothing.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import select, update

from extensions import runtime
from loyalty import events
from loyalty.models import EventStatus, Shop, WebhookEvent
from webhooks.context import EventContext
from webhooks.registry import HANDLERS

log = logging.getLogger(__name__)


def process_event(event_id: int) -> str:
    """Run the handler for one recorded event; raises (so RQ retries) when the handler fails."""
    import webhooks.handlers  # noqa: F401 - registers every topic's handler

    rt = runtime()
    with rt.sessions.begin() as s:
        event = events.start_attempt(s, event_id)
        if event is None:
            return "already finished"
        shop_id = event.shop_id
        if shop_id is None:
            shop_id = s.scalar(select(Shop.id).where(Shop.domain == event.shop_domain))
            if shop_id is not None:
                s.execute(
                    update(WebhookEvent).where(WebhookEvent.id == event_id).values(shop_id=shop_id)
                )
        context = EventContext(
            rt=rt,
            event_row_id=event.id,
            topic=event.topic,
            shop_domain=event.shop_domain,
            shop_id=shop_id,
            triggered_at=event.triggered_at,
            received_at=event.received_at,
        )
        body = event.body
    handler = HANDLERS.get(context.topic)
    if handler is None or body is None:
        events.set_status(rt.sessions, event_id, EventStatus.IGNORED, "no handler or no body")
        return "ignored"
    try:
        handler(context, json.loads(body))
    except Exception as err:
        # The message may quote data from the payload: record and log the type only.
        events.set_status(rt.sessions, event_id, EventStatus.FAILED, type(err).__name__)
        log.warning("event %s (%s) failed: %s", event_id, context.topic, type(err).__name__)
        raise
    events.set_status(rt.sessions, event_id, EventStatus.PROCESSED)
    return "processed"
