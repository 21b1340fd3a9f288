"""``WEBHOOK_BATCH_SIZE`` > 1: many events per RQ job, with every invariant of one per job.

Through the real entry points: signed posts to ``POST /webhooks``, RQ jobs run by the app's
worker (``drain``), balances read through ``GET /api/members/{id}``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from jobs.batch_list import batch_key, take
from jobs.sweeper import sweep_outbox
from loyalty.core.models import EventStatus, WebhookEvent
from tests.support.bodies import Line, order_body
from tests.support.jobs import drain
from tests.support.orders import CUSTOMERS, post_orders, statuses

BATCH = 5


@pytest.fixture
def config(config):
    return config.with_overrides(webhook_batch_size=BATCH)


@pytest.mark.embedded
def test_events_are_processed_in_batches_and_every_balance_is_right(
    app, rt, shop, post_webhook, balance
):
    expected = post_orders(post_webhook, 12)
    # One drain job per batch's worth of ids, not one job per event.
    assert len(rt.queue("webhooks").get_job_ids()) == 3
    assert rt.redis.llen(batch_key("webhooks")) == 12
    drain(app, ["webhooks"])
    assert statuses(rt) == {EventStatus.PROCESSED}
    assert {c: balance(c) for c in CUSTOMERS} == expected


@pytest.mark.embedded
def test_duplicates_and_redeliveries_in_a_batch_count_once(app, rt, shop, post_webhook, balance):
    expected = post_orders(post_webhook, 4)
    body = order_body(5000, [Line(5000, "100.00")], customer_id=CUSTOMERS[0])
    assert post_webhook("orders/paid", body, event_id="evt-batch-5000").get_json() == {
        "status": "requeued"
    }
    assert post_webhook("orders/paid", body, event_id="evt-other-copy").get_json() == {
        "status": "accepted"
    }
    drain(app, ["webhooks"])
    assert {c: balance(c) for c in CUSTOMERS} == expected


def test_ids_lost_with_a_killed_drain_job_are_recovered_by_the_sweeper(
    app, rt, shop, post_webhook, balance
):
    expected = post_orders(post_webhook, 6)
    # A drain job took the ids and died before processing them: only the rows remain.
    assert len(take(rt.redis, "webhooks", 50)) == 6
    for job_id in rt.queue("webhooks").get_job_ids():
        rt.queue("webhooks").remove(job_id)
    drain(app, ["webhooks"])
    assert statuses(rt) == {EventStatus.ENQUEUED}
    assert sweep_outbox(older_than=timedelta(0)) == 6
    drain(app, ["webhooks"])
    assert statuses(rt) == {EventStatus.PROCESSED}
    assert {c: balance(c) for c in CUSTOMERS} == expected


def test_an_event_that_fails_in_a_batch_is_retried_alone(
    app, rt, shop, post_webhook, balance, monkeypatch
):
    from webhooks import handlers

    real = handlers.HANDLERS["orders/paid"]
    failures = []

    def flaky(context, payload):
        if payload["id"] == 5001 and not failures:
            failures.append(payload["id"])
            raise RuntimeError("Shopify-side hiccup")
        real(context, payload)

    monkeypatch.setitem(handlers.HANDLERS, "orders/paid", flaky)
    expected = post_orders(post_webhook, 3)
    # The batch goes on past the failure; the failed event gets its own job (event-<id>, with
    # RQ's retries), which this burst of the worker then runs.
    assert drain(app, ["webhooks"], raise_failures=False) == 2
    assert failures == [5001]
    assert statuses(rt) == {EventStatus.PROCESSED}
    with rt.sessions() as s:
        attempts = dict(s.execute(select(WebhookEvent.event_id, WebhookEvent.attempts)).all())
    assert attempts == {"evt-batch-5000": 1, "evt-batch-5001": 2, "evt-batch-5002": 1}
    assert {c: balance(c) for c in CUSTOMERS} == expected
