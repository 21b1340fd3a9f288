"""The RQ worker that runs Klubb's jobs, each with the process's runtime bound.

``flask --app app worker`` calls :func:`run_worker`: one forking RQ worker on the runtime's Redis
over the queues in :data:`jobs.queueing.QUEUE_NAMES` order, so ``privacy`` is always served
first. RQ's own commands use :class:`AppWorker` too (``rq worker-pool -w jobs.worker.AppWorker``),
which then builds its runtime from the environment's :class:`~loyalty.core.config.Config`; no web
app is built either way. Tests run queued jobs in-process with :func:`drain`.

Logs name a job by its id, function and queue, never by its arguments, and a failure is logged
with its exception's type and stack frames but not its message: database errors quote their
parameters, which may hold personal data.

Redis outages need nobody (:mod:`jobs.worker_upkeep` says how): the worker waits for Redis,
then registers itself again if Redis lost its data, and starts its RQ scheduler again if the
outage ended it, within seconds rather than at RQ's ten-minute maintenance pass;
:func:`run_worker` starts the work loop again when an outage ended it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.exceptions import DeserializationError
from rq.executions import Execution
from rq.job import Job
from rq.job_lifecycle import call_exception_handlers
from rq.queue import Queue

from jobs.awaiting_authorisation import hold
from jobs.queueing import QUEUE_NAMES
from jobs.worker_upkeep import RecoveringWorker, supervise
from loyalty.shopify.errors import ShopNeedsAuthorisation
from runtime import Runtime, bound, build_runtime, environment_config

log = logging.getLogger(__name__)


class JobFailed(Exception):
    """A job run by :func:`drain` raised; the job's own exception is the ``__cause__``."""


def ordered_queue_names(queue_names: Sequence[str] | None = None) -> list[str]:
    """The named queues (default: all) in priority order; unknown names are an error."""
    if not queue_names:
        return list(QUEUE_NAMES)
    unknown = sorted(set(queue_names) - set(QUEUE_NAMES))
    if unknown:
        raise ValueError(f"unknown queue(s) {', '.join(unknown)}; known: {', '.join(QUEUE_NAMES)}")
    return [name for name in QUEUE_NAMES if name in queue_names]


def scrub_exception_text(text: str) -> str:
    """A formatted traceback without its messages: frames and exception types only.

    Frame lines (indented) and the chaining sentences are kept; every other line is an
    exception's message, of which only the part before the first ``:`` (its type) is kept.
    """
    kept = []
    for line in text.splitlines():
        if (
            line.startswith((" ", "Traceback", "During handling", "The above exception"))
            or not line
        ):
            kept.append(line)
        else:
            kept.append(line.split(":", 1)[0])
    return "\n".join(kept)


class _RuntimeMixin:
    """Runs every job with ``self.runtime`` bound and logs failures without their data."""

    runtime: Runtime
    log: logging.Logger
    name: str
    is_horse: bool
    _exc_handlers: list[Callable[..., Any]]
    performed = 0
    """Jobs this process performed (for a forking worker, counted in each horse)."""

    def perform_job(self, job: Job, queue: Queue, execution: Execution) -> bool:
        """Perform the job with the runtime bound (in the work horse, for a forking worker)."""
        self.performed += 1
        if self.is_horse:
            # A forked horse must not reuse the parent's pooled database connections.
            self.runtime.engine.dispose(close=False)
        with bound(self.runtime):
            return super().perform_job(job, queue, execution)  # type: ignore[misc, no-any-return]

    def handle_job_failure(self, job: Job, queue: Queue, *args: Any, **kwargs: Any) -> Any:
        """Let RQ record the failure with the exception's text scrubbed of its messages.

        RQ keeps ``exc_string`` in Redis (failed registry, job results) for ``failure_ttl`` and
        logs it; an exception's message may quote personal data from a payload or a query.
        """
        if "exc_string" in kwargs:
            kwargs["exc_string"] = scrub_exception_text(kwargs["exc_string"] or "")
        elif len(args) >= 2:
            args = (args[0], scrub_exception_text(args[1] or ""), *args[2:])
        return super().handle_job_failure(job, queue, *args, **kwargs)  # type: ignore[misc]

    def handle_exception(self, job: Job, *exc_info: Any) -> None:
        """Log the failure by type and frames (no message, no arguments), then run the handlers.

        A job whose shop needs its merchant's authorisation is held, not retried
        (:mod:`jobs.awaiting_authorisation`).
        """
        exc_type: type[BaseException] = exc_info[0]
        tb: TracebackType | None = exc_info[2]
        try:
            func_name = job.func_name or ""
        except DeserializationError:
            func_name = "<undeserializable>"
        if isinstance(exc_info[1], ShopNeedsAuthorisation):
            self._hold_for_authorisation(job, func_name, exc_info[1].shop)
            call_exception_handlers(self._exc_handlers, job, *exc_info)
            return
        frames = "".join(traceback.format_tb(tb))
        self.log.error(
            "Worker %s: job %s (%s on %s) raised %s\n%s",
            self.name,
            job.id,
            func_name,
            job.origin,
            exc_type.__name__,
            frames,
        )
        call_exception_handlers(self._exc_handlers, job, *exc_info)

    def _hold_for_authorisation(self, job: Job, func_name: str, shop: str) -> None:
        try:
            hold(self.runtime.redis, job, shop)
        except (RedisError, OSError) as err:  # then RQ's retries apply
            self.log.warning(
                "Worker %s: job %s not held (%s)", self.name, job.id, type(err).__name__
            )
            return
        self.log.warning(
            "Worker %s: job %s (%s on %s) waits until %s authorises the app again",
            self.name,
            job.id,
            func_name,
            job.origin,
            shop,
        )


class AppWorker(_RuntimeMixin, RecoveringWorker):
    """A forking RQ worker whose horses run jobs with the process's runtime bound.

    Without ``runtime`` it builds one from the environment, so RQ's own commands can use it too:
    ``rq worker-pool -w jobs.worker.AppWorker -n 4 privacy webhooks shopify campaigns``.
    """

    def __init__(self, queues: Any, *, runtime: Runtime | None = None, **kwargs: Any) -> None:
        self.runtime = runtime or environment_runtime()
        kwargs.setdefault("connection", self.runtime.redis)
        from jobs.warmup import warm_statement_cache

        warm_statement_cache(self.runtime.engine)  # before any horse forks: see jobs/warmup.py
        # RQ's CLI passes log_job_description itself; job descriptions may quote arguments.
        kwargs["log_job_description"] = False
        super().__init__(queues, **kwargs)


class AppSimpleWorker(_RuntimeMixin, SimpleWorker):
    """An in-process RQ worker (no fork) running jobs with the runtime bound: for tests."""

    def __init__(self, queues: Any, *, runtime: Runtime, **kwargs: Any) -> None:
        self.runtime = runtime
        super().__init__(queues, connection=runtime.redis, log_job_description=False, **kwargs)


def run_worker(rt: Runtime, queue_names: Sequence[str] | None, burst: bool = False) -> bool:
    """Work the named queues (default: all) until stopped, or until empty with ``burst``.

    Runs RQ's scheduler beside it, so jobs enqueued for later and retries with a delay are
    enqueued when due. An outage that ends the work loop starts it again (:func:`supervise`).
    Returns whether any job was performed.
    """
    names = ordered_queue_names(queue_names)

    def new_worker() -> RecoveringWorker:
        worker = AppWorker(names, runtime=rt)
        log.info("worker %s on queues %s (burst=%s)", worker.name, ", ".join(names), burst)
        return worker

    return supervise(new_worker, burst=burst)


def drain(
    rt: Runtime, queue_names: Sequence[str] | None = None, raise_failures: bool = True
) -> int:
    """Run every queued job in this process, with ``rt`` bound; return how many ran.

    With ``raise_failures`` (the default) a job that raised makes this raise :class:`JobFailed`
    from the job's own exception once the queues are empty; pass False to test failures and
    retries through RQ's registries instead.
    """
    failures: list[tuple[Job, BaseException]] = []

    def remember(job: Job, exc_type: type, exc: BaseException, tb: TracebackType) -> bool:
        failures.append((job, exc))
        return True  # go on to RQ's default handling (retry or failed registry)

    worker = AppSimpleWorker(
        ordered_queue_names(queue_names), runtime=rt, exception_handlers=[remember]
    )
    worker.work(burst=True, logging_level="WARNING")
    if raise_failures and failures:
        job, exc = failures[0]
        raise JobFailed(f"job {job.id} ({job.func_name}) raised {type(exc).__name__}") from exc
    return worker.performed


_environment: dict[str, Runtime] = {}


def environment_runtime() -> Runtime:
    """This process's runtime, built from the environment on first use (for RQ's own commands)."""
    if "runtime" not in _environment:
        _environment["runtime"] = build_runtime(environment_config())
    return _environment["runtime"]
