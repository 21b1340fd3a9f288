"""The scheduler process (``python -m jobs.scheduler``) outlives a Redis outage on its own.

RQ's ``rq cron`` ends at the first Redis error, which left the outbox sweeper stopped until
someone restarted it. These tests run the real process against a Redis server of their own on
a spare port (never the shared one), stop that server, start it again empty, and watch the
scheduler's heartbeat come back with no one touching the process.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from rq.cron import CronScheduler

from jobs.scheduler import BEAT_EVERY, apply_sweep_interval, last_heartbeat
from loyalty.core.config import Config
from tests.support.private_servers import PrivateRedis, needs_redis_server, wait_until
from tests.support.workers import worker_env

ROOT = Path(__file__).resolve().parents[2]


def _beating_since(client: redis.Redis, moment: float) -> bool:
    try:
        beat = last_heartbeat(client)
    except redis.RedisError:
        return False
    return beat is not None and beat >= moment


@pytest.mark.slow
@needs_redis_server()
def test_the_scheduler_outlives_a_redis_outage_and_beats_again(
    config, private_redis: PrivateRedis, tmp_path
) -> None:
    """Redis stopped across a pass of the loop and back empty: the same process beats again."""
    env = worker_env(config, private_redis.url)
    log = (tmp_path / "scheduler.log").open("w+")
    client = private_redis.client()
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "jobs.scheduler"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        started = time.time()
        wait_until(lambda: _beating_since(client, started), "the first heartbeat")
        assert client.llen("rq:queue:webhooks") >= 1, "interval jobs are queued at start"
        private_redis.stop()  # the scheduler must wait for it, not exit
        time.sleep(BEAT_EVERY + 3)  # the loop passes at least once while Redis is away
        assert scheduler.poll() is None, "the scheduler exited during the outage"
        private_redis.start()
        back = time.time()
        wait_until(lambda: _beating_since(client, back), "a heartbeat after the outage")
        assert scheduler.poll() is None
        scheduler.send_signal(signal.SIGTERM)
        assert scheduler.wait(timeout=15) == 0
    finally:
        if scheduler.poll() is None:
            scheduler.kill()
            scheduler.wait(timeout=15)
        log.seek(0)
        output = log.read()
    assert "Redis unavailable" in output


def test_the_outbox_sweepers_run_every_outbox_sweep_seconds(rt) -> None:
    """``OUTBOX_SWEEP_SECONDS`` sets how often the sweepers run; the other jobs keep theirs."""
    config = Config.from_env({"OUTBOX_SWEEP_SECONDS": "7"})
    scheduler = CronScheduler(connection=rt.redis)
    scheduler.load_config_from_file("jobs.schedule")
    apply_sweep_interval(scheduler, config.outbox_sweep_seconds)
    intervals = {job.func_name.rsplit(".", 1)[1]: job.interval for job in scheduler.get_jobs()}
    assert intervals["sweep_outbox"] == intervals["sweep_pending_pushes"] == 7
    assert intervals["refresh_expiring_tokens"] == 300
    assert Config.from_env({}).outbox_sweep_seconds == 60
