"""A handler that raises leaves a failed event the merchant sees and can retry, once, per shop."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loyalty.core.models import EventStatus, Member, Shop, WebhookEvent
from loyalty.core.types import utcnow
from tests.support.bodies import Line, customer_body, order_body
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.shops import SHOP
from tests.worker.helpers import CUSTOMER
from webhooks.handlers import HANDLERS

OTHER_SHOP = "other-shop.myshopify.com"


@pytest.fixture
def config(config):
    """A job per event, whose RQ retries the API's retry must replace."""
    return config.with_overrides(webhook_batch_size=1)


@pytest.fixture
def flaky_orders(monkeypatch):
    """orders/paid's handler raises on its first call, then works; counts its calls."""
    real = HANDLERS["orders/paid"]
    calls = []

    def flaky(ctx, payload):
        calls.append(ctx.event_row_id)
        if len(calls) == 1:
            raise RuntimeError("database hiccup with personal data: kari@example.com")
        real(ctx, payload)

    monkeypatch.setitem(HANDLERS, "orders/paid", flaky)
    return calls


@pytest.fixture
def failed_event(deliver, flaky_orders, app, rt):
    """A customer, and their order whose event failed once (RQ would retry it later)."""
    deliver("customers/create", customer_body(CUSTOMER))
    deliver(
        "orders/paid",
        order_body(7001, [Line(1, "250.00")], customer_id=CUSTOMER),
        drain_jobs=False,
    )
    drain(app, raise_failures=False)
    with rt.sessions() as s:
        return s.scalar(select(WebhookEvent.id).where(WebhookEvent.topic == "orders/paid"))


@pytest.fixture
def admin(client, fake_shopify):
    def call(method, path, shop=SHOP):
        token = fake_shopify.session_token(shop)
        return client.open(path, method=method, headers={"Authorization": f"Bearer {token}"})

    return call


def balance(rt):
    with rt.sessions() as s:
        return s.scalar(select(Member.points_balance).where(Member.customer_id == CUSTOMER))


def test_the_failed_event_is_listed_without_its_body(failed_event, admin):
    response = admin("GET", "/api/failed-events")
    assert response.status_code == 200
    [event] = response.get_json()["events"]
    assert event["id"] == str(failed_event) and event["topic"] == "orders/paid"
    assert event["attempts"] == 1 and event["error"] == "RuntimeError"
    assert event["received_at"]
    assert "body" not in event and "kari" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.get_json()["scheduler"] == "late"  # no scheduler runs in this test


@pytest.mark.embedded
def test_retry_processes_it_once_and_drops_the_scheduled_retry(
    failed_event, admin, app, rt, flaky_orders
):
    assert balance(rt) == 100
    assert f"event-{failed_event}" in rt.queue("webhooks").scheduled_job_registry.get_job_ids()
    response = admin("POST", f"/api/failed-events/{failed_event}/retry")
    assert response.status_code == 202
    assert response.get_json() == {"id": str(failed_event), "status": "enqueued"}
    drain(app)
    assert balance(rt) == 350
    assert len(flaky_orders) == 2  # the first failure, then the retry: nothing more
    assert rt.queue("webhooks").scheduled_job_registry.get_job_ids() == []
    assert admin("GET", "/api/failed-events").get_json()["events"] == []
    with rt.sessions() as s:
        assert s.get(WebhookEvent, failed_event).status == EventStatus.PROCESSED
    again = admin("POST", f"/api/failed-events/{failed_event}/retry")
    assert again.status_code == 404
    drain(app)
    assert balance(rt) == 350 and len(flaky_orders) == 2


def test_another_shop_neither_sees_nor_retries_the_event(failed_event, admin, rt, fake_shopify):
    with rt.sessions.begin() as s:
        s.add(Shop(domain=OTHER_SHOP, installed_at=utcnow(), access_token_encrypted=b"x"))
    listed = admin("GET", "/api/failed-events", shop=OTHER_SHOP)
    assert listed.status_code == 200 and listed.get_json()["events"] == []
    with_other = bearer(OTHER_SHOP)
    from flask import current_app

    client = current_app.test_client()
    retried = client.post(f"/api/failed-events/{failed_event}/retry", headers=with_other)
    assert retried.status_code == 404
    with rt.sessions() as s:
        assert s.get(WebhookEvent, failed_event).status == EventStatus.FAILED


@pytest.mark.parametrize("event_id", ["abc", "99999999", "1" * 25])
def test_unknown_or_malformed_ids_are_404(failed_event, admin, event_id):
    assert admin("POST", f"/api/failed-events/{event_id}/retry").status_code == 404


def test_both_routes_need_a_session_token(client):
    assert client.get("/api/failed-events").status_code == 401
    assert client.post("/api/failed-events/1/retry").status_code == 401
