"""The outbox sweeper: events recorded but not processed after a minute are enqueued again.

:func:`sweep_pending_pushes` does the same for what members change in the widget (consents,
Klubb-owned profile fields) that Shopify has not been told yet (:mod:`jobs.shopify_sync`), and
for the jobs that waited for a shop's authorisation (:mod:`jobs.awaiting_authorisation`).

This is invariant 3's safety net. The intake commits the event row before answering Shopify,
then enqueues; if Redis was down at that moment, or a worker died with the job, the row is still
``received`` or ``enqueued`` and this job puts it back on its queue (at most once at a time:
``enqueue_event`` leaves a live job alone, and a batch's list holds an id once), then makes
sure a drain job will take the batch's list.

A ``failed`` event waits for RQ's retry, which only Redis holds; its row says when that retry
is due (``retry_at``). Once it is, the event is queued again in a job of its own unless that
job is still there (scheduled, queued or running): so a retry lost with Redis's data runs all
the same, and one RQ still holds runs once.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from redis.exceptions import RedisError
from sqlalchemy import select

from jobs import batch_list, shopify_sync
from jobs.awaiting_authorisation import release_authorised_shops
from jobs.queueing import QueueUnavailable, enqueue_event, enqueue_single, queue_for
from loyalty.core.models import WebhookEvent
from loyalty.core.types import utcnow
from loyalty.shopify import webhook_events
from runtime import Runtime, current_runtime

log = logging.getLogger(__name__)


def sweep_outbox(older_than: timedelta | None = None) -> int:
    """Re-enqueue stranded events and failed events whose retry is due but gone; how many were
    put back on a queue. ``older_than``: ``OUTBOX_SWEEP_SECONDS`` (a minute) by default."""
    rt = current_runtime()
    if older_than is None:
        older_than = timedelta(seconds=rt.config.outbox_sweep_seconds)
    return _sweep_stranded(rt, older_than) + _sweep_due_retries(rt)


def _sweep_due_retries(rt: Runtime) -> int:
    due = webhook_events.retries_due(rt.sessions, utcnow())
    requeued = 0
    for event_id, topic in due:
        try:
            # enqueue_once leaves a job that is still there alone (RQ's retry will run it).
            queued = enqueue_single(rt, event_id, queue_for(topic))
        except QueueUnavailable:
            log.warning("outbox sweeper: Redis unavailable; due retries wait for the next sweep")
            break
        if queued:
            webhook_events.mark_enqueued(rt.sessions, event_id)
            requeued += 1
    if requeued:
        log.info("outbox sweeper re-enqueued %d failed events whose retry was lost", requeued)
    return requeued


def _sweep_stranded(rt: Runtime, older_than: timedelta) -> int:
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


def sweep_pending_pushes(older_than: timedelta | None = None) -> int:
    """Enqueue the Shopify pushes of member changes still pending, and the jobs that waited for
    a shop authorised again since (``jobs.awaiting_authorisation``); how many were enqueued."""
    rt = current_runtime()
    if older_than is None:
        older_than = timedelta(seconds=rt.config.outbox_sweep_seconds)
    released = release_authorised_shops(rt)
    return shopify_sync.sweep_pending_pushes(rt, older_than) + released
