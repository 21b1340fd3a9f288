"""Real RQ worker processes for the crash, race and fault tests: ``flask --app app worker`` (and
the scheduler, ``python -m jobs.scheduler``) started as their own process groups on this test's
PostgreSQL and Redis, and what the tests read afterwards."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from rq.job import Job
from rq.registry import StartedJobRegistry
from sqlalchemy import text

from loyalty.core.config import Config
from tests.support.config import EMBEDDED
from tests.support.http import bearer
from tests.support.shops import SHOP

ROOT = Path(__file__).resolve().parents[2]
CONCURRENT_POSTGRES = [
    pytest.mark.postgres,
    pytest.mark.skipif(EMBEDDED, reason="row locks and concurrent workers need PostgreSQL"),
]
"""The marks of the tests that run real workers against each other's row locks."""
WAIT = 60.0
T = TypeVar("T")


def worker_env(config: Config, redis_url: str) -> dict[str, str]:
    """The environment the app's worker command reads: this test's database, Redis and keys."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=config.sqlalchemy_url,
        REDIS_URL=redis_url,
        APP_URL=config.app_url,
        KLUBB_INSTANCE_PATH=str(config.instance_path),
        TOKEN_ENCRYPTION_KEYS=",".join(config.token_encryption_keys),
        SHOPIFY_SHOP_URL_TEMPLATE=config.shop_url_template,
        WEBHOOK_BATCH_SIZE=str(config.webhook_batch_size),
        OUTBOX_SWEEP_SECONDS=str(config.outbox_sweep_seconds),
        PYTHONUNBUFFERED="1",
    )
    return env


def worker_argv(*, burst: bool = False, queues: str = "webhooks") -> list[str]:
    """``flask --app app worker`` (a forking AppWorker with RQ's scheduler) on ``queues``."""
    argv = [sys.executable, "-m", "flask", "--app", "app", "worker", "--queues", queues]
    return argv + (["--burst"] if burst else [])


@contextmanager
def running_worker(env: dict[str, str], log: Path, **kwargs: Any) -> Iterator[subprocess.Popen]:
    """A worker process in a session (process group) of its own, killed at the end if alive."""
    with log.open("ab") as sink:
        proc = subprocess.Popen(
            worker_argv(**kwargs),
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            kill_worker_and_horses(proc)  # a horse runs in a process group of its own
        proc.wait(30)


@contextmanager
def running_scheduler(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """``python -m jobs.scheduler`` in a process group of its own, killed at the end if alive."""
    with log.open("ab") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jobs.scheduler"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
        proc.wait(30)


def run_burst_worker(env: dict[str, str], log: Path) -> None:
    """Run a second worker until the queue is empty; it must exit cleanly."""
    with log.open("ab") as sink:
        done = subprocess.run(
            worker_argv(burst=True),
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            timeout=300,
        )
    assert done.returncode == 0, log.read_text()[-4000:]


def wait_for(
    what: str,
    probe: Callable[[], T | None],
    log: Path | None = None,
    *,
    seconds: float = WAIT,
    every: float = 0.1,
) -> T:
    """Poll ``probe`` until it returns something truthy (a condition, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(every)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    pytest.fail(f"gave up waiting for {what}\n{tail}")


def backends_waiting_for_a_lock(engine: Any) -> int:
    """How many other sessions of this database wait for a row lock right now."""
    with engine.connect() as conn:
        return int(
            conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            )
        )


def member_api(client: Any, customer_id: int) -> dict[str, Any]:
    """``GET /api/members/{customer_id}`` as the shop's staff."""
    response = client.get(f"/api/members/{customer_id}", headers=bearer(SHOP))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def kill_worker_and_horses(worker: subprocess.Popen) -> None:
    """SIGKILL a running worker's process group and its work horses', as a failing machine would.

    RQ's work horse runs in a process group of its own (os.setpgrp in the fork).
    """
    horses = children_of(worker.pid)
    os.killpg(worker.pid, signal.SIGKILL)
    for pid in horses:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    worker.wait(30)


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def abandon(rt: Any, job: Job) -> Job:
    """RQ's cleanup of abandoned jobs, with the clock past the job's time as RQ would see it."""
    registry = StartedJobRegistry(job.origin, connection=rt.redis)
    assert job.id in registry.get_job_ids(), "RQ still thinks the dead worker runs it"
    # Entries are ``{job id}:{execution id}`` scored by when the execution's time is up.
    entries = rt.redis.zrange(registry.key, 0, -1, withscores=True)
    time_up = max(score for key, score in entries if key.decode().startswith(f"{job.id}:"))
    registry.cleanup(timestamp=time_up + 1)
    job.refresh()
    return job
