"""Running queued jobs in the test's own process, as the worker would."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from flask import Flask
from rq import cron_scheduler_registry

from jobs import worker
from runtime import Runtime


def runtime_of(app_or_runtime: Flask | Runtime) -> Runtime:
    """The runtime of a test's app (or the runtime itself)."""
    if isinstance(app_or_runtime, Runtime):
        return app_or_runtime
    rt: Runtime = app_or_runtime.extensions["klubb"]
    return rt


def drain(
    app_or_runtime: Flask | Runtime,
    queue_names: Sequence[str] | None = None,
    raise_failures: bool = True,
) -> int:
    """Run every queued job in this process with the app's runtime bound (``jobs.worker.drain``)."""
    return worker.drain(runtime_of(app_or_runtime), queue_names, raise_failures=raise_failures)


def run_due_scheduled_jobs(rt: Any) -> int:
    """Move the ``shopify`` queue's scheduled jobs to the queue, as RQ's scheduler does once they
    are due (a burst ``drain`` does not wait for them); how many."""
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry

    queue = rt.queue("shopify")
    registry = ScheduledJobRegistry(queue=queue)
    moved = 0
    for job_id in registry.get_job_ids():
        registry.remove(job_id)
        queue.enqueue_job(Job.fetch(job_id, connection=rt.redis))
        moved += 1
    return moved


def beat_scheduler(app_or_runtime: Flask | Runtime, seconds_ago: float = 0) -> None:
    """Write a cron scheduler's heartbeat, as a running ``python -m jobs.scheduler`` does."""
    rt = runtime_of(app_or_runtime)
    key = cron_scheduler_registry.get_registry_key()
    rt.redis.zadd(key, {"klubb-test-scheduler": time.time() - seconds_ago})
