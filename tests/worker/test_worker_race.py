"""Two real worker processes handle the same order at the same moment, delivered as two distinct
events (orders/paid and orders/updated, or orders/paid twice under two event ids): the member
is credited once, read through ``GET /api/members/{id}``.

The overlap is made certain rather than left to luck: while both events are queued and both
workers start, the test holds the member's row lock, so the first job waits on it inside its
transaction holding the order's record lock, and the second waits on that record lock. Then the
test lets go and both finish.
"""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import select

from loyalty.core.models import EventStatus, Member, WebhookEvent
from loyalty.points.ledger import reconcile
from tests.support.bodies import Line, at, customer_body, order_body
from tests.support.jobs import drain
from tests.support.workers import (
    CONCURRENT_POSTGRES,
    backends_waiting_for_a_lock,
    member_api,
    running_worker,
    wait_for,
    worker_env,
)

pytestmark = CONCURRENT_POSTGRES

CUSTOMER = 7401
ORDER = 8401


@pytest.fixture
def config(config):
    """A job per event, so each worker takes one of the two events."""
    return config.with_overrides(webhook_batch_size=1)


def all_processed(rt) -> bool:
    with rt.sessions() as s:
        return set(s.scalars(select(WebhookEvent.status))) == {EventStatus.PROCESSED}


@pytest.mark.parametrize(
    "topics", [("orders/paid", "orders/updated"), ("orders/paid", "orders/paid")], ids=str
)
def test_two_workers_on_one_order_credit_it_once(
    app, rt, config, shop, client, post_webhook, tmp_path, topics
):
    post_webhook("customers/create", customer_body(CUSTOMER))
    drain(app)  # the member exists, with the signup bonus
    order = order_body(ORDER, [Line(1, "500.00")], customer_id=CUSTOMER)
    edited = {**order, "updated_at": at(5), "note": "gift wrap"}
    env = worker_env(config, rt.redis_url)
    log = tmp_path / "workers.log"
    with rt.engine.connect() as holder:
        holder.begin()
        holder.execute(select(Member).where(Member.customer_id == CUSTOMER).with_for_update())
        for topic, body in zip(topics, (order, edited), strict=True):
            assert post_webhook(topic, body).status_code == 200  # two events, two event ids
        with running_worker(env, log) as first, running_worker(env, log) as second:
            wait_for(
                "both jobs to be in flight, waiting on locks",
                lambda: backends_waiting_for_a_lock(rt.engine) >= 2,
                log,
            )
            holder.rollback()
            wait_for("both events to be processed", lambda: all_processed(rt), log)
            for worker in (first, second):
                os.killpg(worker.pid, signal.SIGTERM)  # a warm shutdown: both are idle
                assert worker.wait(60) == 0, log.read_text()[-3000:]

    member = member_api(client, CUSTOMER)
    assert member["points_balance"] == 600  # the bonus and the order, once
    earned = [e for e in member["ledger"] if e["order_id"] == str(ORDER)]
    assert [(e["kind"], e["points"]) for e in earned] == [("earn", 500)]
    assert reconcile(rt.sessions) == []
