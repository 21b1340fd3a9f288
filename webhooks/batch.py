"""Many webhook events per RQ job: how the engine goes past RQ's per-job ceiling.

A forking RQ worker pays for a fork, a job fetch and its bookkeeping on every job, whatever
the job does (about 150 jobs/s per worker process, TOOLING.md). With ``WEBHOOK_BATCH_SIZE``
above 1, the intake appends each ``webhooks``-queue event id to a Redis list instead of
queueing a job for it, and queues one :func:`drain_batch` job per batch-size ids appended
(the first id into an empty list always queues one, so no id waits for a wake-up that never
comes). The intake sends a flood's ids in one call (webhooks/enqueue_window.py). A drain job
takes ids off the list in batches and runs each event exactly as ``process_event`` does, in
this one process.

A batch's attempts are counted in one statement and the events that ran are marked processed
in one more at its end, instead of two transactions per event. Nothing new is needed for the
invariants: the event row is still written before Shopify's 200 (the outbox), processing an
event is idempotent (the row locks and source keys of settlement), and a drain job killed
with ids in hand leaves their rows unfinished for the outbox sweeper, which queues them again.
An event that fails in a batch is queued alone, with the usual retries.
"""

from __future__ import annotations

import contextlib
import logging
import time

from jobs.batch_list import batch_key, queue_drain, take
from jobs.queueing import EVENT_JOB_TIMEOUT, QueueUnavailable, enqueue_single
from loyalty.core.models import EventStatus
from loyalty.shopify import webhook_events
from runtime import Runtime, current_runtime
from webhooks.process import run_attempt, start_batch

log = logging.getLogger(__name__)

BUDGET_SECONDS = EVENT_JOB_TIMEOUT / 2
"""A drain job stops taking batches after this long and hands on, well inside its timeout."""


def drain_batch(queue_name: str, batch_size: int) -> int:
    """Process waiting events in batches until the list is empty or the budget is spent."""
    rt = current_runtime()
    key = batch_key(queue_name)
    deadline = time.monotonic() + BUDGET_SECONDS
    done = 0
    while time.monotonic() < deadline:
        ids = take(rt.redis, queue_name, batch_size)
        if not ids:
            return done
        done += run_batch(rt, ids, queue_name)
    if rt.redis.llen(key):
        queue_drain(rt.queue(queue_name), batch_size)
    return done


def run_batch(rt: Runtime, event_ids: list[int], queue_name: str) -> int:
    """Run a batch's events one after the other; how many were taken."""
    processed: list[int] = []
    for context, body in start_batch(rt, event_ids):
        try:
            outcome = run_attempt(context, body, retried_now=True)
        except Exception as err:
            log.warning(
                "event %s failed in a batch (%s); retried alone",
                context.event_row_id,
                type(err).__name__,
            )
            # Redis away: the failed row's retry is due now, so the outbox sweeper queues it.
            with contextlib.suppress(QueueUnavailable):
                enqueue_single(rt, context.event_row_id, queue_name)
            continue
        if outcome == EventStatus.PROCESSED:
            processed.append(context.event_row_id)
    webhook_events.mark_processed(rt.sessions, processed)
    return len(event_ids)
