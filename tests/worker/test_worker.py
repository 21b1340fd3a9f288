"""The RQ worker: jobs run with the process's runtime bound, in queue priority order, logged
without data; ``flask --app app worker --burst`` runs what is queued and exits; RQ's own
``rq worker -w jobs.worker.AppWorker`` builds its runtime without Flask; the cron schedule loads."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rq.cron import CronScheduler
from rq.job import Job, JobStatus

from jobs.queueing import QUEUE_NAMES
from jobs.worker import JobFailed, ordered_queue_names
from runtime import current_runtime
from tests.support.jobs import drain
from tests.support.probes import app_url_of_bound_runtime, modules_loaded

pytestmark = pytest.mark.embedded

ROOT = Path(__file__).resolve().parents[2]
SECRET_ARGUMENT = "jane.doe@example.com"


def note_queue(name: str) -> None:
    """A job that appends its queue's name to a Redis list, to observe the order jobs run in."""
    current_runtime().redis.rpush("test:order", name)


def fail_with_personal_data(email: str) -> None:
    """A job whose exception message quotes its argument, as a database error would."""
    raise ValueError(f"duplicate key value (email)=({email})")


def test_drain_runs_a_queued_job_with_the_runtime_bound(app, rt) -> None:
    """A job enqueued by dotted path sees the runtime and returns through RQ."""
    job = rt.queue("webhooks").enqueue(app_url_of_bound_runtime)

    assert drain(app) == 1

    job.refresh()
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() == app.config["KLUBB"].app_url


def test_privacy_jobs_run_before_a_backlog_of_other_queues(app, rt) -> None:
    """Queues are served in QUEUE_NAMES order: a GDPR job never waits behind orders."""
    for name in reversed(QUEUE_NAMES):
        rt.queue(name).enqueue(note_queue, name)

    assert drain(app) == len(QUEUE_NAMES)

    assert [v.decode() for v in rt.redis.lrange("test:order", 0, -1)] == list(QUEUE_NAMES)
    rt.redis.delete("test:order")


def test_drain_raises_a_failed_job_and_logs_it_without_its_data(app, rt, caplog) -> None:
    """The failure surfaces in the test; the log names the job, never its argument or message."""
    job = rt.queue("privacy").enqueue(fail_with_personal_data, SECRET_ARGUMENT)

    with caplog.at_level(logging.INFO), pytest.raises(JobFailed) as raised:
        drain(app, ["privacy"])

    assert isinstance(raised.value.__cause__, ValueError)
    assert job.id in caplog.text and "ValueError" in caplog.text
    assert SECRET_ARGUMENT not in caplog.text
    assert job.get_status(refresh=True) == JobStatus.FAILED


def test_drain_can_leave_failures_to_rqs_registries(app, rt) -> None:
    """With raise_failures=False the failed job is simply in the failed-job registry."""
    job = rt.queue("webhooks").enqueue(fail_with_personal_data, SECRET_ARGUMENT)

    assert drain(app, raise_failures=False) == 1

    assert job.id in rt.queue("webhooks").failed_job_registry.get_job_ids()


def test_queue_names_are_checked_and_put_in_priority_order() -> None:
    """``--queues campaigns,privacy`` works privacy first; a typo is an error, not a no-op."""
    assert ordered_queue_names(["campaigns", "privacy"]) == ["privacy", "campaigns"]
    assert ordered_queue_names(None) == list(QUEUE_NAMES)
    with pytest.raises(ValueError, match="webhook"):
        ordered_queue_names(["webhook"])


def _worker_env(config, rt) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=config.sqlalchemy_url,
        REDIS_URL=rt.redis_url,
        APP_URL=config.app_url,
        KLUBB_INSTANCE_PATH=str(config.instance_path),
        TOKEN_ENCRYPTION_KEYS=",".join(config.token_encryption_keys),
        SHOPIFY_SHOP_URL_TEMPLATE=config.shop_url_template,
    )
    return env


def test_worker_command_in_burst_mode_runs_queued_jobs_and_exits(app, rt, config) -> None:
    """``flask --app app worker --burst --queues …`` forks a horse per job with the runtime bound
    and leaves the queues it was not given alone."""
    done = rt.queue("shopify").enqueue(app_url_of_bound_runtime)
    left = rt.queue("campaigns").enqueue(app_url_of_bound_runtime)

    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "worker", "--burst", "--queues", "shopify"],
        cwd=ROOT,
        env=_worker_env(config, rt),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    done.refresh()
    assert done.get_status() == JobStatus.FINISHED
    assert done.return_value() == config.app_url
    assert Job.fetch(left.id, connection=rt.redis).get_status() == JobStatus.QUEUED


def test_rqs_own_worker_builds_its_runtime_from_the_environment_without_flask(
    app, rt, config, shop, post_webhook
) -> None:
    """``rq worker -w jobs.worker.AppWorker`` processes a recorded webhook with a runtime built
    from the environment's Config, and neither Flask nor the web adapters are ever imported."""
    from sqlalchemy import select

    from loyalty.core.models import EventStatus, WebhookEvent

    post_webhook("shop/update", {"id": 1, "name": "Renamed", "currency": "NOK"})
    probe = rt.queue("webhooks").enqueue(modules_loaded)

    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("rq")),
            "worker",
            "--burst",
            "-w",
            "jobs.worker.AppWorker",
            "--url",
            rt.redis_url,
            *QUEUE_NAMES,
        ],
        cwd=ROOT,
        env=_worker_env(config, rt),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    with rt.sessions() as s:
        assert s.scalar(select(WebhookEvent.status)) == EventStatus.PROCESSED
    probe.refresh()
    assert probe.return_value() == {"flask": False, "app": False, "admin": False, "widgets": False}


def test_cron_schedule_loads_as_rq_cron_loads_it(rt) -> None:
    """``rq cron jobs.schedule`` registers argument-free jobs on known queues."""
    scheduler = CronScheduler(connection=rt.redis)
    scheduler.load_config_from_file("jobs.schedule")

    jobs = {job.func_name: job for job in scheduler.get_jobs()}
    assert jobs["jobs.schedule.refresh_expiring_tokens"].interval == 300
    assert jobs["jobs.schedule.sweep_outbox"].interval == 60
    for job in jobs.values():
        assert job.queue_name in QUEUE_NAMES
        assert job.args == () and job.kwargs == {}, "periodic jobs carry no data"
        assert job.job_options["job_timeout"] <= 300


def test_scheduled_jobs_run_on_a_worker(app, rt) -> None:
    """What the scheduler enqueues at start (interval jobs run at once), a worker completes."""
    scheduler = CronScheduler(connection=rt.redis)
    scheduler.load_config_from_file("jobs.schedule")
    enqueued = scheduler.enqueue_jobs()
    assert len(enqueued) == len(scheduler.get_jobs())

    assert drain(app) == len(enqueued)
    results = {}
    for cron_job in enqueued:
        job = Job.fetch(cron_job.get_job_ids(rt.redis)[0], connection=rt.redis)
        assert job.get_status() == JobStatus.FINISHED
        results[cron_job.func_name.rsplit(".", 1)[1]] = job.return_value()
    assert results["refresh_expiring_tokens"] == {"refreshed": 0, "failed": 0}
    assert results["sweep_outbox"] == 0
