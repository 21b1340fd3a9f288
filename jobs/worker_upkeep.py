"""A worker that comes back whole from a Redis outage: its loop, its registration, its scheduler.

RQ's worker waits out an outage while it waits for jobs (it reconnects, backing off up to a
minute), but three things did not come back by themselves:

- its RQ scheduler, the child process that enqueues delayed jobs and retries when they fall
  due, ends at the first Redis error; RQ starts it again only at its maintenance pass, every
  ten minutes, so retries due meanwhile waited that long;
- after Redis lost its data the worker's registration (``rq:workers``) was gone and its
  heartbeats do not restore it: ``rq info`` said 0 workers while one ran;
- an outage in the middle of a job ends the work loop ("found an unhandled exception,
  quitting"), and the process with it.

:class:`RecoveringWorker` sees to the first two from the heartbeat it sends while it waits for
jobs and after each job, at most every :data:`UPKEEP_EVERY` seconds; an idle worker wakes at
least every :data:`IDLE_WAKE` seconds, and a worker waiting for Redis tries again at least
every :data:`RECONNECT_CAP` seconds, so both are back within seconds of Redis. :func:`supervise`
starts the loop again when an outage ended it (``flask --app app worker``; RQ's
``worker-pool`` starts a new worker process by itself).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from redis.client import Pipeline
from redis.exceptions import RedisError
from rq import Worker, worker_registration
from rq.exceptions import StopRequested

log = logging.getLogger(__name__)

UPKEEP_EVERY = 5.0
"""Seconds at least between two checks of the registration and the scheduler."""
IDLE_WAKE = 15
"""Seconds at most an idle worker waits on its queues before it sends a heartbeat (RQ: 405)."""
RECONNECT_CAP = 5.0
"""Seconds at most between two attempts to reach Redis while it is away (RQ: 60)."""
RESTART_CAP = 10.0
"""Seconds at most between two starts of a work loop that an outage ended."""


class RecoveringWorker(Worker):
    """RQ's forking worker, checking on its registration and its scheduler as it goes."""

    max_connection_wait_time = RECONNECT_CAP
    stop_requested = False
    """Set by SIGTERM or SIGINT (a warm shutdown): the loop ended because it was asked to."""
    _burst = False
    _last_upkeep = 0.0

    @property
    def dequeue_timeout(self) -> int:
        """How long an idle worker blocks on its queues: short, so it checks on itself."""
        return min(super().dequeue_timeout, IDLE_WAKE)

    def work(self, burst: bool = False, *args: Any, **kwargs: Any) -> bool:
        """RQ's work loop (a burst runs its scheduler once, in this process: none to restart)."""
        self._burst = burst
        return super().work(burst, *args, **kwargs)

    def handle_warm_shutdown_request(self) -> None:
        """Remember that a stop was asked for, so :func:`supervise` does not start again."""
        self.stop_requested = True
        super().handle_warm_shutdown_request()  # type: ignore[no-untyped-call]

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        """RQ's heartbeat; a plain one (not part of a job's bookkeeping) also runs the upkeep."""
        super().heartbeat(timeout, pipeline)
        if pipeline is None and not self.is_horse:
            self.keep_up()

    def keep_up(self) -> None:
        """Register again if Redis forgot this worker; start its scheduler again if it ended."""
        moment = time.monotonic()
        if moment - self._last_upkeep < UPKEEP_EVERY:
            return
        self._last_upkeep = moment
        try:
            self._register_again_if_forgotten()
            if not self._burst:
                self._restart_scheduler_if_ended()
        except (RedisError, OSError) as err:  # Redis went away again: the next pass retries
            self.log.warning("Worker %s: upkeep failed (%s)", self.name, type(err).__name__)

    def _register_again_if_forgotten(self) -> None:
        if self.birth_date is None or self.connection.sismember(self.redis_workers_keys, self.key):
            return
        with self.connection.pipeline() as pipe:
            pipe.hset(self.key, mapping=self.serialize())
            pipe.hset(self.key, "state", self.get_state())
            worker_registration.register(self, pipe)
            pipe.expire(self.key, self.worker_ttl + 60)
            pipe.execute()
        self.log.warning("Worker %s: Redis had lost its registration; registered again", self.name)

    def _restart_scheduler_if_ended(self) -> None:
        scheduler = self.scheduler
        if scheduler is None:
            return
        # The check and the call of RQ's own maintenance pass (BaseWorker.run_maintenance_tasks),
        # which runs only every ten minutes. Only the worker holding a queue's scheduler lock
        # starts a scheduler: with several workers, one runs it.
        process = scheduler._process
        if process is not None and process.is_alive():
            return
        scheduler.acquire_locks(auto_start=True)  # type: ignore[no-untyped-call]
        if scheduler._process is not None and scheduler._process is not process:
            self.log.warning("Worker %s: started its scheduler again", self.name)


def retire(worker: Worker) -> None:
    """Let go of what a work loop that ended holds in Redis: its scheduler's locks (so the next
    loop's scheduler takes them at once) and its registration. Raises RedisError while Redis is
    away."""
    if worker.pubsub_thread is not None:
        worker.pubsub_thread.stop()  # its connection retries forever otherwise
    if worker.scheduler is not None:
        worker.scheduler.release_locks()  # type: ignore[no-untyped-call]  # only its own
    worker.register_death()  # type: ignore[no-untyped-call]


def supervise(
    new_worker: Callable[[], RecoveringWorker],
    *,
    burst: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Run a worker's loop until it is asked to stop, starting a new one when an outage ended
    it (backing off to :data:`RESTART_CAP` seconds); whether any job was performed.

    A burst worker is not supervised: it runs once.
    """
    if burst:
        return new_worker().work(burst=True, logging_level="INFO", with_scheduler=True)
    worked = False
    ended: RecoveringWorker | None = None
    delay = 0.5
    try:
        while True:
            began = time.monotonic()
            try:
                if ended is not None:
                    retire(ended)
                    ended = None
                worker = new_worker()
                ended = worker
                worked = worker.work(logging_level="INFO", with_scheduler=True) or worked
                reason = "its loop ended"
            except (RedisError, OSError) as err:  # while starting, or in its teardown
                reason = f"Redis unavailable ({type(err).__name__})"
            if ended is not None and ended.stop_requested:
                return worked
            if time.monotonic() - began > RESTART_CAP:
                delay = 0.5  # it ran well since the last outage: a new outage starts afresh
            log.warning("worker: %s; starting again in %.1f s", reason, delay)
            with contextlib.suppress(RedisError, OSError):  # a stop signal meeting the outage
                sleep(delay)
            if ended is not None and ended.stop_requested:
                return worked
            delay = min(delay * 2, RESTART_CAP)
    except (StopRequested, KeyboardInterrupt):
        # RQ's signal handlers raise StopRequested, also while we wait between attempts.
        log.info("worker: stop requested")
        with contextlib.suppress(RedisError, OSError):
            if ended is not None:
                retire(ended)
        return worked
