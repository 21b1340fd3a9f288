"""A worker outlives a Redis outage whole: its RQ scheduler (delayed jobs, retries) comes back
with Redis, and so does its registration (``rq info``).

RQ's worker runs its scheduler in a child process that ends at the first Redis error; RQ
starts it again only at its maintenance pass, every ten minutes, so retries fell due and waited.
After Redis lost its data the worker ran on but was no longer registered: ``rq info`` said
0 workers. Each test runs the real ``flask --app app worker`` on a Redis of its own.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from rq import Worker

from tests.support.private_servers import needs_redis_server
from tests.support.probes import note_done
from tests.support.workers import running_worker, wait_for, worker_env

pytestmark = [pytest.mark.slow, needs_redis_server()]


def registered_workers(server) -> int:
    try:
        return Worker.count(connection=server.client())
    except Exception:
        return 0


def scheduler_holds_its_lock(server) -> bool:
    try:
        return server.client().get("rq:scheduler-lock:webhooks") is not None
    except Exception:
        return False


def started_worker(config, private_redis, tmp_path):
    log = tmp_path / "worker.log"
    return log, running_worker(worker_env(config, private_redis.url), log)


def test_a_retry_due_during_an_outage_runs_once_redis_is_back(config, rt, private_redis, tmp_path):
    """Redis away for longer than the job's delay, its data kept: the job runs when it returns."""
    log, worker = started_worker(config, private_redis, tmp_path)
    with worker:
        wait_for("the worker's scheduler", lambda: scheduler_holds_its_lock(private_redis), log)
        rt.queue("webhooks").enqueue_in(timedelta(seconds=2), note_done, "probe:due")
        private_redis.stop(keep_data=True)
        time.sleep(4)  # the job falls due while Redis is away
        private_redis.start()
        wait_for("the job that fell due to run", lambda: rt.redis.get("probe:due"), log)


def test_after_redis_lost_its_data_the_worker_registers_again_and_schedules(
    config, rt, private_redis, tmp_path
):
    """Redis restarted empty: ``rq info`` counts the worker again and delayed jobs run."""
    log, worker = started_worker(config, private_redis, tmp_path)
    with worker:
        wait_for("the worker to register", lambda: registered_workers(private_redis) == 1, log)
        private_redis.stop()
        time.sleep(1)
        private_redis.start()
        wait_for("the worker to register again", lambda: registered_workers(private_redis), log)
        rt.queue("webhooks").enqueue_in(timedelta(seconds=1), note_done, "probe:after")
        wait_for("a delayed job after the outage", lambda: rt.redis.get("probe:after"), log)


def test_after_redis_was_flushed_the_worker_registers_again(config, rt, private_redis, tmp_path):
    """Every key lost with the server up (no broken connection to notice): the same."""
    log, worker = started_worker(config, private_redis, tmp_path)
    with worker:
        wait_for("the worker to register", lambda: registered_workers(private_redis) == 1, log)
        wait_for("the worker's scheduler", lambda: scheduler_holds_its_lock(private_redis), log)
        private_redis.flush()
        wait_for("the worker to register again", lambda: registered_workers(private_redis), log)
        rt.queue("webhooks").enqueue_in(timedelta(seconds=1), note_done, "probe:flushed")
        wait_for("a delayed job after the flush", lambda: rt.redis.get("probe:flushed"), log)
