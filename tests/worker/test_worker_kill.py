"""A real forking worker SIGKILLed in the middle of an orders/paid job loses nothing and doubles
nothing: RQ's cleanup of abandoned jobs (run here explicitly, as a worker's maintenance does
once the job's time is up) hands the job back, a second worker re-runs it, and the member is
credited once — read through ``GET /api/members/{id}``.

The job is held mid-way on the real code path, with no hook: the test holds the member's row
lock, so the worker's ``process_event`` → ``apply_order`` → ``ledger.post`` waits on it inside
its transaction, the earn entry already inserted but not committed. Then the worker's whole
process group (worker, work horse, scheduler) is killed with SIGKILL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq.job import Job, JobStatus
from sqlalchemy import select

from jobs.sweeper import sweep_outbox
from loyalty.core.models import EventStatus, Member, WebhookEvent
from loyalty.points.ledger import reconcile
from tests.support.bodies import Line, customer_body, order_body
from tests.support.jobs import drain
from tests.support.workers import (
    CONCURRENT_POSTGRES,
    abandon,
    backends_waiting_for_a_lock,
    kill_worker_and_horses,
    member_api,
    run_burst_worker,
    running_worker,
    wait_for,
    worker_env,
)

pytestmark = CONCURRENT_POSTGRES

CUSTOMER = 7301
ORDER = 8301


@pytest.fixture
def config(config):
    """A job per event, so the test can kill the one job that holds its event."""
    return config.with_overrides(webhook_batch_size=1)


def job_of_the_order(rt) -> Job:
    with rt.sessions() as s:
        event_id = s.scalar(select(WebhookEvent.id).where(WebhookEvent.topic == "orders/paid"))
    return Job.fetch(f"event-{event_id}", connection=rt.redis)


def kill_mid_job(app, rt, config, post_webhook, log) -> Job:
    """Start a worker, let the orders/paid job block on the member's row lock, SIGKILL it all."""
    post_webhook("customers/create", customer_body(CUSTOMER))
    drain(app)  # the member exists, with the signup bonus
    env = worker_env(config, rt.redis_url)
    with rt.engine.connect() as holder:
        holder.begin()
        holder.execute(select(Member).where(Member.customer_id == CUSTOMER).with_for_update())
        assert (
            post_webhook(
                "orders/paid", order_body(ORDER, [Line(1, "500.00")], customer_id=CUSTOMER)
            ).status_code
            == 200
        )
        with running_worker(env, log) as worker:
            wait_for(
                "the job to wait on the member's lock",
                lambda: backends_waiting_for_a_lock(rt.engine),
                log,
            )
            job = job_of_the_order(rt)
            assert job.get_status(refresh=True) == JobStatus.STARTED
            kill_worker_and_horses(worker)
        holder.rollback()  # the dead horse's transaction never commits
    return job


def assert_credited_once(client, rt) -> None:
    member = member_api(client, CUSTOMER)
    assert member["points_balance"] == 600  # the bonus and the order, once
    kinds = sorted((e["kind"], e["points"], e["order_id"]) for e in member["ledger"])
    assert kinds == [("bonus", 100, None), ("earn", 500, str(ORDER))]
    assert reconcile(rt.sessions) == []
    with rt.sessions() as s:
        assert set(s.scalars(select(WebhookEvent.status))) == {EventStatus.PROCESSED}


def test_a_job_killed_mid_way_is_retried_by_rq_and_credits_once(
    app, rt, config, shop, client, post_webhook, tmp_path
):
    log = tmp_path / "workers.log"
    job = kill_mid_job(app, rt, config, post_webhook, log)
    assert member_api(client, CUSTOMER)["points_balance"] == 100  # nothing of the order landed

    job = abandon(rt, job)
    assert job.get_status() == JobStatus.SCHEDULED  # a retry, after RETRY's first interval
    rt.queue("webhooks").scheduled_job_registry.requeue(job)  # due now, not in 5 s
    run_burst_worker(worker_env(config, rt.redis_url), log)

    assert_credited_once(client, rt)


def test_a_killed_job_with_no_retries_left_is_rerun_by_the_sweeper(
    app, rt, config, shop, client, post_webhook, tmp_path
):
    log = tmp_path / "workers.log"
    job = kill_mid_job(app, rt, config, post_webhook, log)
    job.retries_left = 0  # it was the job's last try
    job.save()

    job = abandon(rt, job)
    assert job.get_status() == JobStatus.FAILED
    assert sweep_outbox(older_than=timedelta(0)) == 1  # the event was never processed
    run_burst_worker(worker_env(config, rt.redis_url), log)

    assert_credited_once(client, rt)
