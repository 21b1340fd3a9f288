"""The database knows when a failed event's retry is due, so a retry Redis lost still runs.

RQ holds a failed event's retry in Redis only. The event's row says when it is due
(``retry_at``); the outbox sweeper queues a failed event whose retry is due and whose job is
gone, and leaves alone one RQ still holds.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from jobs.queueing import RETRY_EVENT
from jobs.sweeper import sweep_outbox
from loyalty.core.models import EventStatus, Member, WebhookEvent
from loyalty.core.types import utcnow
from tests.support.bodies import Line, customer_body, order_body
from tests.support.jobs import drain
from tests.worker.helpers import CUSTOMER
from webhooks.handlers import HANDLERS

pytestmark = pytest.mark.embedded


@pytest.fixture
def config(config):
    """A job per event, as a failed event's retry is (batched events are retried alone)."""
    return config.with_overrides(webhook_batch_size=1)


@pytest.fixture
def broken_orders(monkeypatch):
    """orders/paid's handler raises while ``broken[0]`` is true."""
    real = HANDLERS["orders/paid"]
    broken = [True]

    def handler(ctx, payload):
        if broken[0]:
            raise RuntimeError("the database refused the write")
        real(ctx, payload)

    monkeypatch.setitem(HANDLERS, "orders/paid", handler)
    return broken


@pytest.fixture
def failed_order(deliver, broken_orders, app, rt):
    """A member's order whose event failed once; RQ holds its retry."""
    deliver("customers/create", customer_body(CUSTOMER))
    deliver(
        "orders/paid", order_body(7101, [Line(1, "250.00")], customer_id=CUSTOMER), drain_jobs=False
    )
    drain(app, raise_failures=False)
    with rt.sessions() as s:
        return s.scalars(select(WebhookEvent).where(WebhookEvent.topic == "orders/paid")).one()


def falls_due(rt, event: WebhookEvent) -> None:
    """Time passes until the event's retry is due (its row's clock, moved back)."""
    with rt.sessions.begin() as s:
        s.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event.id)
            .values(retry_at=utcnow() - timedelta(seconds=1))
        )


def balance(rt) -> int:
    with rt.sessions() as s:
        return s.scalar(select(Member.points_balance).where(Member.customer_id == CUSTOMER))


def test_a_failed_event_says_when_rq_retries_it(failed_order, rt):
    assert failed_order.status == EventStatus.FAILED
    first_interval = timedelta(seconds=RETRY_EVENT.intervals[0])
    assert utcnow() < failed_order.retry_at <= utcnow() + first_interval
    job_ids = rt.queue("webhooks").scheduled_job_registry.get_job_ids()
    assert job_ids == [f"event-{failed_order.id}"]


def test_a_due_retry_that_rq_still_holds_is_left_to_rq(failed_order, rt, app, broken_orders):
    assert sweep_outbox() == 0  # not due yet
    falls_due(rt, failed_order)
    assert sweep_outbox() == 0  # due, but RQ's scheduled job is still there
    assert rt.queue("webhooks").scheduled_job_registry.get_job_ids() == [f"event-{failed_order.id}"]


def test_a_retry_lost_with_redis_data_is_queued_again_when_due(
    failed_order, rt, app, broken_orders
):
    rt.redis.flushdb()  # Redis lost its data: RQ's retry is gone
    assert sweep_outbox() == 0  # not due yet
    falls_due(rt, failed_order)
    broken_orders[0] = False
    assert sweep_outbox() == 1
    assert sweep_outbox() == 0  # queued once: the second sweep finds its job
    drain(app)
    assert balance(rt) == 350
    with rt.sessions() as s:
        event = s.get(WebhookEvent, failed_order.id)
        assert (event.status, event.retry_at) == (EventStatus.PROCESSED, None)


def test_an_event_whose_retries_are_spent_waits_for_the_merchant(failed_order, rt, app):
    job_id = f"event-{failed_order.id}"
    registry = rt.queue("webhooks").scheduled_job_registry
    for _ in RETRY_EVENT.intervals:  # every retry RQ holds, run now, each failing again
        for scheduled in registry.get_job_ids():
            registry.remove(scheduled)
            rt.queue("webhooks").enqueue_job(rt.queue("webhooks").fetch_job(scheduled))
        drain(app, raise_failures=False)
    assert registry.get_job_ids() == [] and job_id in rt.queue("webhooks").failed_job_registry
    with rt.sessions() as s:
        event = s.get(WebhookEvent, failed_order.id)
        assert (event.status, event.retry_at) == (EventStatus.FAILED, None)
    assert sweep_outbox() == 0
