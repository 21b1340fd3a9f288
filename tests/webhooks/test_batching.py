"""``WEBHOOK_BATCH_SIZE`` > 1: many events per RQ job, with every invariant of one per job.

Through the real entry points: signed posts to ``POST /webhooks``, RQ jobs run by the app's
worker (``drain``), balances read through ``GET /api/members/{id}``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from loyalty.models import EventStatus, WebhookEvent
from tests.conftest import SHOP
from tests.engine.bodies import Line, order_body
from webhooks.batch import batch_key, take
from webhooks.sweeper import sweep_outbox
from webhooks.worker import drain

BATCH = 5
CUSTOMERS = [820982911946154600 + n for n in range(3)]


@pytest.fixture
def config(config):
    return config.with_overrides(webhook_batch_size=BATCH)


@pytest.fixture
def balance(client, fake_shopify):
    def get(customer_id: int) -> int:
        token = fake_shopify.session_token(SHOP)
        response = client.get(
            f"/api/members/{customer_id}", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.get_json()
        return int(response.get_json()["points_balance"])

    return get


def post_orders(post_webhook, count: int, first_id: int = 5000) -> dict[int, int]:
    """``count`` paid orders over the customers; what each customer should hold after."""
    expected = {c: 100 for c in CUSTOMERS}  # the signup bonus of a first order
    for n in range(count):
        customer = CUSTOMERS[n % len(CUSTOMERS)]
        amount = 100 + n
        body = order_body(first_id + n, [Line(first_id + n, f"{amount}.00")], customer_id=customer)
        response = post_webhook("orders/paid", body, event_id=f"evt-batch-{first_id + n}")
        assert response.get_json() == {"status": "accepted"}
        expected[customer] += amount
    return expected


def statuses(rt) -> set[str]:
    with rt.sessions() as s:
        return set(s.scalars(select(WebhookEvent.status)))


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
    from webhooks import registry

    real = registry.HANDLERS["orders/paid"]
    failures = []

    def flaky(context, payload):
        if payload["id"] == 5001 and not failures:
            failures.append(payload["id"])
            raise RuntimeError("Shopify-side hiccup")
        real(context, payload)

    monkeypatch.setitem(registry.HANDLERS, "orders/paid", flaky)
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
