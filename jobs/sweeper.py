"""The outbox sweeper: events recorded but not processed after a minute are enqueued again.

:func:`sweep_pending_pushes` does the same for what members change in the widget (consents,
Klubb-owned profile fields) that Shopify has not been told yet (:mod:`jobs.shopify_sync`).

This is invariant 3's safety net. The intake commits the event row before answering Shopify,
then enqueues; if Redis was down at that moment, or a worker died with the job, the row is still
``received`` or ``enqueued`` and this job puts it back on its queue (at most once at a time:
``enqueue_event`` leaves a live job alone, and a batch's list holds an id once), then makes
sure a drain job will take the batch's list.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from redis.exceptions import RedisError
from sqlalchemy import select

from jobs import batch_list, shopify_sync
from jobs.queueing import enqueue_event
from loyalty.core.models import WebhookEvent
from loyalty.shopify import webhook_events
from runtime import current_runtime

log = logging.getLogger(__name__)

STRANDED_AFTER = timedelta(minutes=1)


def sweep_outbox(older_than: timedelta = STRANDED_AFTER) -> int:
    """Re-enqueue stranded events; returns how many were put back on a queue."""
    rt = current_runtime()
    ids = webhook_events.stranded(rt.sessions, older_than)
    if not ids:
        return 0
    with rt.sessions() as s:
        topics = dict(
            s.execute(
                select(WebhookEvent.id, WebhookEvent.topic).where(WebhookEvent.id.in_(ids))
            ).all()
        )
    requeued = sum(1 for event_id in ids if enqueue_event(rt, event_id, topics[event_id]))
    if requeued and rt.config.webhook_batch_size > 1:
        with contextlib.suppress(RedisError, OSError):
            batch_list.wake(rt)
    if requeued:
        log.info("outbox sweeper re-enqueued %d of %d stranded events", requeued, len(ids))
    return requeued


def sweep_pending_pushes(older_than: timedelta = STRANDED_AFTER) -> int:
    """Enqueue the Shopify pushes of member changes still pending; how many were enqueued."""
    return shopify_sync.sweep_pending_pushes(current_runtime(), older_than)
