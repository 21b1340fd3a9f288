"""The Redis list of webhook event ids waiting for a drain job (``WEBHOOK_BATCH_SIZE`` > 1).

The intake (and the sweeper) append ids here instead of queueing a job per event, and queue
one ``webhooks.batch.drain_batch`` job for every batch-size ids appended: the first id into an
empty list always queues one, so no id waits for a wake-up that never comes. See
:mod:`webhooks.batch` for the job that takes them.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from typing import Any

from redis import Redis
from redis.exceptions import NoScriptError
from rq import Queue

from jobs.queueing import EVENT_JOB_TIMEOUT, FAILURE_TTL
from runtime import Runtime

DRAIN_JOB_PREFIX = "drain-"
DRAIN_JOB = "webhooks.batch.drain_batch"


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
    """Queue a drain job for the queue's list (RQ's own ids: drain jobs may run side by side)."""
    queue.enqueue(
        DRAIN_JOB,
        queue.name,
        batch_size,
        job_id=DRAIN_JOB_PREFIX + uuid.uuid4().hex,
        job_timeout=EVENT_JOB_TIMEOUT,
        result_ttl=600,
        failure_ttl=FAILURE_TTL,
    )
