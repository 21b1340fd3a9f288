"""The scheduler process (``python -m jobs.scheduler``) outlives a Redis outage on its own.

RQ's ``rq cron`` ends at the first Redis error, which left the outbox sweeper stopped until
someone restarted it. These tests run the real process against a Redis server of their own on
a spare port (never the shared one), stop that server, start it again empty, and watch the
scheduler's heartbeat come back with no one touching the process.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from jobs.scheduler import BEAT_EVERY, last_heartbeat
from tests.support.config import free_port
from tests.support.workers import worker_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]
ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def redis_server(port: int) -> Iterator[redis.Redis]:
    """A throwaway Redis on ``port`` that keeps nothing on disk; stopped on exit."""
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_connect_timeout=0.5)
    try:
        wait_for(lambda: _answers(client), "the test's Redis to answer")
        yield client
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}")


def _beating_since(client: redis.Redis, moment: float) -> bool:
    try:
        beat = last_heartbeat(client)
    except redis.RedisError:
        return False
    return beat is not None and beat >= moment


def test_the_scheduler_outlives_a_redis_outage_and_beats_again(config, tmp_path) -> None:
    """Redis stopped across a pass of the loop and back empty: the same process beats again."""
    port = free_port()
    env = worker_env(config, f"redis://127.0.0.1:{port}/0")
    log = (tmp_path / "scheduler.log").open("w+")
    with redis_server(port) as client:
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "jobs.scheduler"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        try:
            started = time.time()
            wait_for(lambda: _beating_since(client, started), "the first heartbeat")
            assert client.llen("rq:queue:webhooks") >= 1, "interval jobs are queued at start"
        # The server is gone now; the scheduler must wait for it, not exit.
        except BaseException:
            scheduler.kill()
            raise
    try:
        time.sleep(BEAT_EVERY + 3)  # the loop passes at least once while Redis is away
        assert scheduler.poll() is None, "the scheduler exited during the outage"
        with redis_server(port) as client:
            back = time.time()
            wait_for(lambda: _beating_since(client, back), "a heartbeat after the outage")
            assert scheduler.poll() is None
            scheduler.send_signal(signal.SIGTERM)
            assert scheduler.wait(timeout=15) == 0
    finally:
        if scheduler.poll() is None:
            scheduler.kill()
        log.seek(0)
        output = log.read()
    assert "Redis unavailable" in output
