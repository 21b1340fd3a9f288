"""The scheduler process: RQ's cron over :mod:`jobs.schedule`, kept alive through Redis outages.

Run exactly one per Redis, with the app's environment::

    python -m jobs.scheduler

RQ's own ``rq cron jobs.schedule`` runs the same schedule, but its loop ends at the first Redis
error (the outbox sweeper then stops until someone restarts it). Here the loop is started again
after an outage, with a backoff of up to :data:`BACKOFF_CAP` seconds; SIGTERM and SIGINT stop it.
Each pass of RQ's loop writes a heartbeat to RQ's registry of cron schedulers; a pass comes at
least every :data:`BEAT_EVERY` seconds (RQ's own loop sleeps up to a minute), so an outage is
noticed soon and :func:`scheduler_state` (``/healthz``, the admin's failed-events page) can call
a scheduler late after :data:`LATE_AFTER` seconds.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable

from redis import Redis
from redis.exceptions import RedisError
from rq import cron_scheduler_registry
from rq.cron import CronScheduler
from rq.exceptions import SchedulerNotFound, StopRequested

from runtime import Runtime

log = logging.getLogger(__name__)

SCHEDULE = "jobs.schedule"
BACKOFF_CAP = 10.0
"""Seconds at most between two attempts to start the loop again while Redis is away."""
BEAT_EVERY = 10.0
"""Seconds at most between two passes of the loop, each with its heartbeat."""
LATE_AFTER = 60.0
"""Seconds without a heartbeat after which the scheduler counts as late."""


class KlubbCronScheduler(CronScheduler):
    """RQ's cron scheduler, passing through its loop at least every :data:`BEAT_EVERY` seconds."""

    def calculate_sleep_interval(self) -> float:
        return min(float(super().calculate_sleep_interval()), BEAT_EVERY)


def run_scheduler(rt: Runtime, sleep: Callable[[float], None] = time.sleep) -> None:
    """Run the cron loop until a stop signal; start it again after each Redis outage."""
    scheduler = KlubbCronScheduler(connection=rt.redis)
    scheduler.load_config_from_file(SCHEDULE)
    apply_sweep_interval(scheduler, rt.config.outbox_sweep_seconds)
    delay = 0.5
    try:
        while True:
            try:
                with contextlib.suppress(RedisError, OSError, SchedulerNotFound):
                    # An outage left this scheduler's name registered (its death was never
                    # written), and RQ refuses to register a name twice.
                    scheduler.register_death()
                began = time.monotonic()
                scheduler.start()  # type: ignore[no-untyped-call]  # returns on SIGTERM or SIGINT
                return
            except (RedisError, OSError) as err:
                if time.monotonic() - began > BACKOFF_CAP:
                    delay = 0.5  # it ran well since the last outage: a new outage starts afresh
                log.warning(
                    "scheduler: Redis unavailable (%s); starting again in %.1f s",
                    type(err).__name__,
                    delay,
                )
            sleep(delay)
            delay = min(delay * 2, BACKOFF_CAP)
    except (StopRequested, KeyboardInterrupt):
        # RQ's signal handlers raise StopRequested, also while we wait between attempts.
        log.info("scheduler: stop requested")


def apply_sweep_interval(scheduler: CronScheduler, seconds: int) -> None:
    """The outbox sweepers (``jobs.schedule.SWEEPERS``) run every ``OUTBOX_SWEEP_SECONDS``."""
    from jobs.schedule import SWEEPERS

    for job in scheduler.get_jobs():
        if job.func in SWEEPERS and job.interval and job.interval != seconds:
            job.interval = seconds
            log.info(
                "scheduler: %s every %d seconds (OUTBOX_SWEEP_SECONDS)", job.func_name, seconds
            )


def last_heartbeat(redis: Redis) -> float | None:
    """When a cron scheduler on this Redis last beat (a Unix time), or None if none ever did."""
    newest = redis.zrevrange(cron_scheduler_registry.get_registry_key(), 0, 0, withscores=True)
    return float(newest[0][1]) if newest else None


def scheduler_state(redis: Redis, now: float | None = None) -> str:
    """``ok`` when a scheduler beat within :data:`LATE_AFTER` seconds, else ``late``."""
    try:
        beat = last_heartbeat(redis)
    except (RedisError, OSError):
        return "late"
    now = time.time() if now is None else now
    return "ok" if beat is not None and now - beat <= LATE_AFTER else "late"


def main() -> None:
    """``python -m jobs.scheduler``: build the runtime from the environment and run."""
    from jobs.worker import environment_runtime

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run_scheduler(environment_runtime())


if __name__ == "__main__":
    main()
