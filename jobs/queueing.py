"""Queueing: the queues, the retry and lifetime policies, and the one enqueue-once.

Every job Klubb queues goes through :func:`enqueue` or :func:`enqueue_once`; a job is a
module-level function named by its dotted path, with ids (never payloads or personal data) as
arguments. Redis being down is :class:`QueueUnavailable`, which each caller turns into what
its work needs (a row left for a sweeper, a run marked failed, a log line).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from redis.exceptions import RedisError
from rq import Retry, get_current_job
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from runtime import Runtime

log = logging.getLogger(__name__)

QUEUE_NAMES = ("privacy", "webhooks", "shopify", "campaigns")
"""Queues in priority order: GDPR work is never starved by a flood of orders."""

COMPLIANCE_TOPICS = frozenset({"customers/data_request", "customers/redact", "shop/redact"})

RETRY_SHOPIFY = Retry(max=5, interval=[10, 60, 300, 1800, 3600])
"""Work that calls Shopify: backs off to an hour, for an outage or a throttled shop."""
RETRY_SLOW_SHOPIFY = Retry(max=5, interval=[30, 120, 600, 1800, 3600])
"""Clean-up in Shopify that may wait (a redacted member's unused codes): starts slower."""
RETRY_EVENT = Retry(max=5, interval=[5, 30, 120, 600, 1800])
"""A webhook event's job: sooner, so a crashed attempt is re-run while Shopify still retries."""
RESULT_TTL = 3600
"""Seconds a finished job's result stays in Redis."""
FAILURE_TTL = 7 * 86400
"""Seconds a failed job stays in RQ's failed registry: a week to look at it."""
EVENT_JOB_TIMEOUT = 60
"""Seconds for an event's job: short, so a killed worker's job is noticed and re-run soon."""

LIVE = frozenset({JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED})
"""States of a job that will still run (or runs now)."""
DEAD = frozenset(JobStatus) - LIVE
"""States of a job that will not run again: :func:`enqueue_once` may replace them."""
FINISHED = DEAD - {JobStatus.FAILED}
"""Like :data:`DEAD` without ``failed``: a failed job is kept for a look (and a manual retry)."""

Func = Any
"""A job: its dotted path, or the module-level function (RQ constrains it to one of the two)."""


class QueueUnavailable(Exception):
    """Redis did not take the job (down, or the connection broke)."""


def enqueue(
    rt: Runtime,
    queue: str,
    func: Func,
    *args: Any,
    job_id: str | None = None,
    retry: Retry | None = None,
    timeout: int | None = None,
    result_ttl: int = RESULT_TTL,
    delay: float = 0,
) -> None:
    """Queue ``func(*args)`` on ``queue`` (after ``delay`` seconds); raises QueueUnavailable."""
    options = _options(job_id, retry, timeout, result_ttl)
    target = rt.queue(queue)
    try:
        if delay:
            target.enqueue_in(timedelta(seconds=delay), func, *args, **options)
        else:
            target.enqueue(func, *args, **options)
    except (RedisError, OSError) as err:
        raise QueueUnavailable(type(err).__name__) from err


def enqueue_once(
    rt: Runtime,
    queue: str,
    func: Func,
    *args: Any,
    job_id: str,
    replace: Iterable[JobStatus] = (),
    retry: Retry | None = None,
    timeout: int | None = None,
    result_ttl: int = RESULT_TTL,
) -> bool:
    """Queue ``func(*args)`` as ``job_id`` unless a job of that id exists; whether it was queued.

    An existing job in one of the ``replace`` states (say :data:`DEAD`) is deleted and queued
    anew; any other existing job stands. Raises :class:`QueueUnavailable` when Redis is down.
    """
    replaceable = frozenset(replace)
    options = _options(job_id, retry, timeout, result_ttl, unique=True)
    target = rt.queue(queue)
    try:
        try:
            target.enqueue(func, *args, **options)
        except DuplicateJobError:
            if not replaceable or not delete_job_if(rt, job_id, replaceable):
                return False
            target.enqueue(func, *args, **options)
    except DuplicateJobError:
        return False  # another process queued it between the delete and ours
    except (RedisError, OSError) as err:
        raise QueueUnavailable(type(err).__name__) from err
    return True


def _options(
    job_id: str | None,
    retry: Retry | None,
    timeout: int | None,
    result_ttl: int,
    *,
    unique: bool = False,
) -> dict[str, Any]:
    """RQ's keyword arguments for one job, every one with the same failure lifetime."""
    options: dict[str, Any] = {
        "job_id": job_id,
        "retry": retry,
        "result_ttl": result_ttl,
        "failure_ttl": FAILURE_TTL,
    }
    if unique:
        options["unique"] = True
    if timeout is not None:
        options["job_timeout"] = timeout
    return options


def next_retry_at(now: datetime) -> datetime | None:
    """When RQ runs the current job again if it fails now, by its :class:`~rq.Retry`; None
    outside a job or when its retries are spent."""
    job = get_current_job()
    if job is None or not job.should_retry:
        return None
    return now + timedelta(seconds=job.get_retry_interval())


def job_status(rt: Runtime, job_id: str) -> JobStatus | None:
    """The job's status, or None when there is no such job (or Redis does not answer)."""
    try:
        return Job.fetch(job_id, connection=rt.redis).get_status(refresh=True)
    except (NoSuchJobError, RedisError, OSError):
        return None


def delete_job_if(rt: Runtime, job_id: str, states: frozenset[JobStatus]) -> bool:
    """Delete the job if it is in one of ``states`` (or gone already); whether it is gone.

    Raises RedisError when Redis is down.
    """
    try:
        job = Job.fetch(job_id, connection=rt.redis)
    except NoSuchJobError:
        return True
    if job.get_status(refresh=True) not in states:
        return False
    job.delete()
    return True


# Webhook events: the intake, the sweeper and a failed batch queue an event's job here.


def queue_for(topic: str) -> str:
    """GDPR topics go to ``privacy`` (never starved by orders); the rest to ``webhooks``."""
    return "privacy" if topic in COMPLIANCE_TOPICS else "webhooks"


def enqueue_event(
    rt: Runtime, event_id: int, topic: str, *, mark: bool = True, alone: bool = False
) -> bool:
    """Put the event's job on its queue once; False (and a log line) when Redis is down.

    The row stays ``received`` when this fails, and the outbox sweeper enqueues it later.
    ``mark=False`` skips noting the row ``enqueued``: the intake wrote it so already. With
    ``WEBHOOK_BATCH_SIZE`` above 1, ``webhooks``-queue events join a batch (jobs.batch_list),
    unless ``alone``: a failed event is retried in a job of its own, with RQ's retries.
    """
    from jobs import batch_list
    from loyalty.shopify import webhook_events

    queue_name = queue_for(topic)
    batch_size = rt.config.webhook_batch_size
    try:
        if batch_size > 1 and queue_name == "webhooks" and not alone:
            batch_list.append(rt.queue(queue_name), [event_id], batch_size)
        elif not enqueue_single(rt, event_id, queue_name):
            return True
    except (QueueUnavailable, RedisError, OSError):
        log.warning("event %s not enqueued: Redis unavailable; the sweeper will retry", event_id)
        return False
    if mark:
        webhook_events.mark_enqueued(rt.sessions, event_id)
    return True


def enqueue_single(rt: Runtime, event_id: int, queue_name: str) -> bool:
    """Queue the event's own job (id ``event-<id>``); False if a live one is already queued.

    Raises :class:`QueueUnavailable` when Redis is down.
    """
    return enqueue_once(
        rt,
        queue_name,
        "webhooks.process.process_event",
        event_id,
        job_id=f"event-{event_id}",
        replace=DEAD,
        retry=RETRY_EVENT,
        timeout=EVENT_JOB_TIMEOUT,
    )
