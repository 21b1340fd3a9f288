"""Topic → handler, topic → queue, and the one way an event's job is enqueued.

A test checks :data:`HANDLERS` against the topics ``shopify_app.toml`` subscribes to, so a topic
is never subscribed without a handler, nor handled without a subscription.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from loyalty import events

if TYPE_CHECKING:
    from extensions import Runtime
    from webhooks.context import EventContext

log = logging.getLogger(__name__)

Handler = Callable[["EventContext", dict[str, Any]], None]

COMPLIANCE_TOPICS = frozenset({"customers/data_request", "customers/redact", "shop/redact"})
HANDLERS: dict[str, Handler] = {}
RETRY = Retry(max=5, interval=[5, 30, 120, 600, 1800])
JOB_TIMEOUT = 60  # seconds: short, so a killed worker's job is noticed and re-run soon
LIVE_STATES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def handles(*topics: str) -> Callable[[Handler], Handler]:
    """Register a handler for one or more topics."""

    def register(fn: Handler) -> Handler:
        for topic in topics:
            HANDLERS[topic] = fn
        return fn

    return register


def queue_for(topic: str) -> str:
    """GDPR topics go to ``privacy`` (never starved by orders); the rest to ``webhooks``."""
    return "privacy" if topic in COMPLIANCE_TOPICS else "webhooks"


def enqueue_event(rt: Runtime, event_id: int, topic: str, *, mark: bool = True) -> bool:
    """Put the event's job on its queue once; False (and a log line) when Redis is down.

    The row stays ``received`` when this fails, and the outbox sweeper enqueues it later.
    ``mark=False`` skips noting the row ``enqueued``: the intake wrote it so already. With
    ``WEBHOOK_BATCH_SIZE`` above 1, ``webhooks``-queue events join a batch (webhooks.batch).
    """
    queue_name = queue_for(topic)
    batch_size = rt.config.webhook_batch_size
    try:
        if batch_size > 1 and queue_name == "webhooks":
            from webhooks.batch import append

            append(rt.queue(queue_name), [event_id], batch_size)
        elif not enqueue_single(rt, event_id, queue_name):
            return True
    except (RedisError, OSError, DuplicateJobError):
        log.warning("event %s not enqueued: Redis unavailable; the sweeper will retry", event_id)
        return False
    if mark:
        events.mark_enqueued(rt.sessions, event_id)
    return True


def enqueue_single(rt: Runtime, event_id: int, queue_name: str) -> bool:
    """Queue the event's own job (id ``event-<id>``); False if a live one is already queued.

    Raises RedisError when Redis is down.
    """
    queue = rt.queue(queue_name)
    job_id = f"event-{event_id}"
    try:
        _enqueue(queue, event_id, job_id)
    except DuplicateJobError:
        if not _replace_dead_job(rt, job_id):
            return False
        _enqueue(queue, event_id, job_id)
    return True


def _enqueue(queue: Queue, event_id: int, job_id: str) -> None:
    queue.enqueue(
        "webhooks.jobs.process_event",
        event_id,
        job_id=job_id,
        unique=True,
        retry=RETRY,
        job_timeout=JOB_TIMEOUT,
        result_ttl=3600,
        failure_ttl=7 * 86400,
    )


def _replace_dead_job(rt: Runtime, job_id: str) -> bool:
    """Delete a finished or failed job of that id so the event can be queued again."""
    try:
        job = Job.fetch(job_id, connection=rt.redis)
    except NoSuchJobError:
        return True
    if job.get_status(refresh=True) in LIVE_STATES:
        return False
    job.delete()
    return True
