"""A production-shaped run for the fault tests: the app's intake (in this process), a forking
worker on every queue and the scheduler (``python -m jobs.scheduler``), as their own processes
on the test's database and private Redis; and what "recovered with no manual step" means."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis import Redis
from rq import Worker

from jobs.queueing import QUEUE_NAMES
from jobs.scheduler import last_heartbeat
from loyalty.core.config import Config
from loyalty.points.ledger import reconcile
from tests.support.orders import OrderBurst, statuses
from tests.support.workers import running_scheduler, running_worker, wait_for, worker_env

SWEEP_SECONDS = 3
"""``OUTBOX_SWEEP_SECONDS`` in these tests (a minute in production)."""


@dataclass
class Production:
    """The processes of one run, sharing one log file."""

    worker: subprocess.Popen
    scheduler: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        """Whether the worker and the scheduler still run (nobody restarted them)."""
        return self.worker.poll() is None and self.scheduler.poll() is None


@contextlib.contextmanager
def production_run(config: Config, redis_url: str, folder: Path) -> Iterator[Production]:
    """Start the worker and the scheduler and wait until both work; both are killed at the end."""
    env = worker_env(config, redis_url)
    log = folder / "processes.log"
    redis = Redis.from_url(redis_url)
    with (
        running_worker(env, log, queues=",".join(QUEUE_NAMES)) as worker,
        running_scheduler(env, log) as scheduler,
    ):
        wait_for("the worker to start", lambda: Worker.count(connection=redis) == 1, log)
        wait_for("the scheduler to beat", lambda: last_heartbeat(redis) is not None, log)
        redis.close()
        yield Production(worker, scheduler, log)


def assert_recovered(production: Production, burst: OrderBurst, client: Any, rt: Any) -> None:
    """With no one touching anything: every event processed, every balance as the rule says
    (read through the admin's API), the ledger reconciled, the processes never restarted."""
    wait_for(
        "every event to be processed",
        lambda: statuses(rt) == {"processed"},
        production.log,
        every=0.5,
    )
    balances = burst.balances(client)
    assert balances == burst.expected, f"balances {balances}, by the rule {burst.expected}"
    drift = reconcile(rt.sessions)
    assert drift == [], f"the ledger does not reconcile: {drift}"
    assert production.alive(), production.log.read_text()[-3000:]
