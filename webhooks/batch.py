"""Many webhook events per RQ job: how the engine goes past RQ's per-job ceiling.

A forking RQ worker pays for a fork, a job fetch and its bookkeeping on every job, whatever
the job does (about 150 jobs/s per worker process, TOOLING.md). With ``WEBHOOK_BATCH_SIZE``
above 1, the intake appends each ``webhooks``-queue event id to a Redis list instead of
queueing a job for it, and queues one :func:`drain_batch` job per batch-size ids appended
(the first id into an empty list always queues one, so no id waits for a wake-up that never
comes). A drain job takes ids off the list in batches and runs each event exactly as
``process_event`` does, in this one process.

Nothing new is needed for the invariants: the event row is still written before Shopify's 200
(the outbox), processing an event is idempotent (``events.start_attempt`` and the row locks
of settlement), and a drain job killed with ids in hand leaves their rows unfinished for the
outbox sweeper. An event that fails in a batch is queued alone, with the usual retries.
"""

from __future__ import annotations

import logging
import time

from rq import Queue

from extensions import runtime
from webhooks.jobs import process_event
from webhooks.registry import JOB_TIMEOUT, enqueue_single

log = logging.getLogger(__name__)

BUDGET_SECONDS = JOB_TIMEOUT / 2
"""A drain job stops taking batches after this long and hands on, well inside its timeout."""


def batch_key(queue_name: str) -> str:
    """The Redis list of event ids waiting on ``queue_name``."""
    return f"klubb:batch:{queue_name}"


def append(queue: Queue, event_id: int, batch_size: int) -> None:
    """Add the event to its queue's list; queue a drain job for every batch's first id."""
    waiting = int(queue.connection.rpush(batch_key(queue.name), event_id))
    if waiting % batch_size == 1 or batch_size == 1:
        queue_drain(queue, batch_size)


def queue_drain(queue: Queue, batch_size: int) -> None:
    queue.enqueue(
        "webhooks.batch.drain_batch",
        queue.name,
        batch_size,
        job_timeout=JOB_TIMEOUT,
        result_ttl=600,
        failure_ttl=7 * 86400,
    )


def drain_batch(queue_name: str, batch_size: int) -> int:
    """Process waiting events in batches until the list is empty or the budget is spent."""
    rt = runtime()
    key = batch_key(queue_name)
    deadline = time.monotonic() + BUDGET_SECONDS
    done = 0
    while time.monotonic() < deadline:
        ids = rt.redis.lpop(key, batch_size)
        if not ids:
            return done
        for raw in ids:
            event_id = int(raw)
            try:
                process_event(event_id)
            except Exception as err:
                log.warning(
                    "event %s failed in a batch (%s); retried alone", event_id, type(err).__name__
                )
                enqueue_single(rt, event_id, queue_name)
            done += 1
    if rt.redis.llen(key):
        queue_drain(rt.queue(queue_name), batch_size)
    return done
