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

import functools
import hashlib
import logging
import time
import uuid
from typing import Any

from redis import Redis
from redis.exceptions import NoScriptError
from rq import Queue

from extensions import Runtime, runtime
from loyalty import events
from loyalty.models import EventStatus
from webhooks.jobs import run_attempt, start_batch
from webhooks.registry import JOB_TIMEOUT, enqueue_single

log = logging.getLogger(__name__)

DRAIN_JOB_PREFIX = "drain-"
BUDGET_SECONDS = JOB_TIMEOUT / 2
"""A drain job stops taking batches after this long and hands on, well inside its timeout."""


# The list keeps the ids in arrival order; the set says which are in it, so an id the sweeper
# puts back while it still waits is not added twice. Each script is one round trip.
# ARGV[1] is the batch size, the rest are ids; the reply is how many drain jobs to queue: one
# for each id that became its batch's first.
_APPEND = """
local size = tonumber(ARGV[1])
local drains = 0
for i = 2, #ARGV do
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then
    local waiting = redis.call('RPUSH', KEYS[1], ARGV[i])
    if waiting % size == 1 or size == 1 then drains = drains + 1 end
  end
end
return drains
"""
_TAKE = """
local ids = redis.call('LPOP', KEYS[1], ARGV[1])
if ids then redis.call('SREM', KEYS[2], unpack(ids)) end
return ids
"""


def batch_key(queue_name: str) -> str:
    """The Redis list of event ids waiting on ``queue_name``."""
    return f"klubb:batch:{queue_name}"


def _members_key(queue_name: str) -> str:
    """The Redis set of the ids in :func:`batch_key`'s list."""
    return f"klubb:batch:{queue_name}:ids"


@functools.cache
def _sha(source: str) -> str:
    return hashlib.sha1(source.encode()).hexdigest()  # noqa: S324 - Redis names scripts so


def _run(connection: Redis, source: str, keys: list[str], args: list[int]) -> Any:
    """Run a Lua script by its SHA1, loading it the first time Redis has not seen it."""
    try:
        return connection.evalsha(_sha(source), len(keys), *keys, *args)
    except NoScriptError:
        return connection.eval(source, len(keys), *keys, *args)


def append(queue: Queue, event_ids: list[int], batch_size: int) -> None:
    """Add the events to their queue's list (an id waiting there already is not added twice),
    and queue a drain job for every batch's first id; one Redis call unless a drain is due."""
    keys = [batch_key(queue.name), _members_key(queue.name)]
    for _ in range(int(_run(queue.connection, _APPEND, keys, [batch_size, *event_ids]))):
        queue_drain(queue, batch_size)


def take(connection: Redis, queue_name: str, count: int) -> list[int]:
    """Up to ``count`` ids off the front of the queue's list (an empty list when none wait)."""
    keys = [batch_key(queue_name), _members_key(queue_name)]
    return [int(raw) for raw in _run(connection, _TAKE, keys, [count]) or []]


def wake(rt: Runtime, queue_name: str = "webhooks") -> None:
    """Queue a drain job for the queue's list if ids wait in it.

    The sweeper calls this after putting stranded events back: a drain job that was lost (its
    worker killed, Redis restarted without it) must not leave the ids behind it waiting until
    the list next grows past a batch. A drain job queued or running already will take them.
    """
    if not rt.redis.llen(batch_key(queue_name)):
        return
    queue = rt.queue(queue_name)
    live = [*queue.get_job_ids(), *queue.started_job_registry.get_job_ids()]
    if not any(job_id.startswith(DRAIN_JOB_PREFIX) for job_id in live):
        queue_drain(queue, rt.config.webhook_batch_size)


def queue_drain(queue: Queue, batch_size: int) -> None:
    queue.enqueue(
        "webhooks.batch.drain_batch",
        queue.name,
        batch_size,
        job_id=DRAIN_JOB_PREFIX + uuid.uuid4().hex,
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
            outcome = run_attempt(context, body)
        except Exception as err:
            log.warning(
                "event %s failed in a batch (%s); retried alone",
                context.event_row_id,
                type(err).__name__,
            )
            enqueue_single(rt, context.event_row_id, queue_name)
            continue
        if outcome == EventStatus.PROCESSED:
            processed.append(context.event_row_id)
    events.mark_processed(rt.sessions, processed)
    return len(event_ids)
