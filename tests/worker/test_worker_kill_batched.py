"""The default, batched path (``WEBHOOK_BATCH_SIZE`` 50): a real forking worker SIGKILLed in the
middle of a drain job that holds three orders loses none of them and doubles none.

As in test_worker_kill.py, the job is held on the real code path by the member's row lock
(the batch's first order waits on it inside its transaction); then the worker's process group
and its work horse are killed. The drain job has taken the three ids off the batch's list, so
only the event rows know of them: RQ's cleanup fails the job, the outbox sweeper puts the ids
back and wakes a drain job, and a second worker credits each order once.
"""

from __future__ import annotations

from datetime import timedelta

from rq.job import Job, JobStatus
from sqlalchemy import select

from jobs.batch_list import DRAIN_JOB_PREFIX, batch_key
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

CUSTOMER = 7311
ORDERS = {8311: 500, 8312: 70, 8313: 30}


def running_drain_job(rt) -> Job | None:
    started = rt.queue("webhooks").started_job_registry.get_job_ids()
    drains = [job_id for job_id in started if job_id.startswith(DRAIN_JOB_PREFIX)]
    return Job.fetch(drains[0], connection=rt.redis) if drains else None


def test_a_drain_job_killed_mid_batch_loses_nothing_and_doubles_nothing(
    app, rt, config, shop, client, post_webhook, tmp_path
):
    assert config.webhook_batch_size == 50  # the default
    log = tmp_path / "workers.log"
    post_webhook("customers/create", customer_body(CUSTOMER))
    drain(app)  # the member exists, with the signup bonus
    env = worker_env(config, rt.redis_url)
    with rt.engine.connect() as holder:
        holder.begin()
        holder.execute(select(Member).where(Member.customer_id == CUSTOMER).with_for_update())
        for order_id, amount in ORDERS.items():
            body = order_body(order_id, [Line(order_id, f"{amount}.00")], customer_id=CUSTOMER)
            assert post_webhook("orders/paid", body).get_json() == {"status": "accepted"}
        with running_worker(env, log) as worker:
            wait_for(
                "the batch's first order to wait on the member's lock",
                lambda: backends_waiting_for_a_lock(rt.engine),
                log,
            )
            job = running_drain_job(rt)
            assert job is not None and job.get_status(refresh=True) == JobStatus.STARTED
            assert rt.redis.llen(batch_key("webhooks")) == 0  # the job holds all three ids
            kill_worker_and_horses(worker)
        holder.rollback()  # the dead horse's transaction never commits
    assert member_api(client, CUSTOMER)["points_balance"] == 100

    assert abandon(rt, job).get_status() == JobStatus.FAILED  # drain jobs are not retried
    assert sweep_outbox(older_than=timedelta(0)) == 3
    run_burst_worker(env, log)

    member = member_api(client, CUSTOMER)
    assert member["points_balance"] == 100 + sum(ORDERS.values())
    earned = sorted((e["order_id"], e["points"]) for e in member["ledger"] if e["kind"] == "earn")
    assert earned == sorted((str(order), points) for order, points in ORDERS.items())
    assert reconcile(rt.sessions) == []
    with rt.sessions() as s:
        assert set(s.scalars(select(WebhookEvent.status))) == {EventStatus.PROCESSED}
