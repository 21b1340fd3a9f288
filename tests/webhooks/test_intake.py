"""POST /webhooks verifies, records, enqueues and answers; bad input gets a stated answer."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from loyalty.core.models import EventStatus, WebhookEvent
from tests.support.shops import SHOP

SHOP_UPDATE = {
    "id": 548380009,
    "name": "Klubb Test",
    "currency": "NOK",
    "iana_timezone": "Europe/Oslo",
}


@pytest.fixture
def config(config):
    """One job per event (``event-<id>``), as with ``WEBHOOK_BATCH_SIZE=1``; the batched intake is tests/webhooks/test_batching.py's."""
    return config.with_overrides(webhook_batch_size=1)


def events(rt):
    with rt.sessions() as s:
        return list(s.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))


def queued(rt, name="webhooks"):
    return rt.queue(name).get_job_ids()


@pytest.mark.embedded
def test_a_signed_webhook_is_recorded_and_enqueued(rt, shop, post_webhook):
    response = post_webhook("shop/update", SHOP_UPDATE, event_id="evt-1")
    assert response.status_code == 200
    assert response.get_json() == {"status": "accepted"}
    [event] = events(rt)
    assert (event.event_id, event.topic, event.shop_domain, event.shop_id) == (
        "evt-1",
        "shop/update",
        SHOP,
        shop.id,
    )
    assert event.status == EventStatus.ENQUEUED and event.enqueued_at is not None
    assert event.triggered_at is not None and event.body
    assert queued(rt) == [f"event-{event.id}"]


def test_a_wrong_signature_gets_401_and_leaves_no_trace(rt, shop, post_webhook):
    response = post_webhook("shop/update", SHOP_UPDATE, secret="not-the-secret")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_signature"
    assert events(rt) == [] and queued(rt) == []


@pytest.mark.parametrize("topic", ["customers/data_request", "customers/redact", "shop/redact"])
def test_compliance_topics_with_a_bad_signature_get_401(rt, shop, post_webhook, topic):
    response = post_webhook(topic, {"shop_domain": SHOP}, secret="forged")
    assert response.status_code == 401
    assert events(rt) == []


def test_a_missing_signature_or_an_empty_body_gets_401(rt, shop, post_webhook):
    assert (
        post_webhook("shop/update", SHOP_UPDATE, headers={"X-Shopify-Hmac-Sha256": ""}).status_code
        == 401
    )
    assert post_webhook("shop/update", None, raw=b"").status_code == 401
    assert events(rt) == []


def test_the_previous_secret_is_accepted_during_a_rotation(
    app, rt, shop, post_webhook, monkeypatch
):
    config = rt.config.with_overrides(
        shopify_api_secret="new-secret", shopify_api_secret_previous=rt.config.shopify_api_secret
    )
    monkeypatch.setattr(rt, "config", config)
    assert post_webhook("shop/update", SHOP_UPDATE).status_code == 200
    assert post_webhook("shop/update", SHOP_UPDATE, secret="new-secret").status_code == 200
    assert post_webhook("shop/update", SHOP_UPDATE, secret="older-still").status_code == 401


@pytest.mark.embedded
def test_the_same_event_twice_is_recorded_once(rt, shop, post_webhook):
    first = post_webhook("shop/update", SHOP_UPDATE, event_id="evt-dup")
    second = post_webhook("shop/update", SHOP_UPDATE, event_id="evt-dup")
    assert first.status_code == second.status_code == 200
    assert len(events(rt)) == 1
    assert len(queued(rt)) == 1


def test_a_processed_event_delivered_again_changes_nothing(rt, shop, post_webhook):
    post_webhook("shop/update", SHOP_UPDATE, event_id="evt-done")
    [event] = events(rt)
    from loyalty.shopify import webhook_events as event_store

    event_store.set_status(rt.sessions, event.id, EventStatus.PROCESSED)
    rt.queue("webhooks").empty()
    response = post_webhook("shop/update", SHOP_UPDATE, event_id="evt-done")
    assert response.get_json() == {"status": "duplicate"}
    assert queued(rt) == []


def test_without_an_event_id_the_webhook_id_dedupes(rt, shop, post_webhook):
    headers = {"X-Shopify-Event-Id": "", "X-Shopify-Webhook-Id": "wh-1"}
    post_webhook("shop/update", SHOP_UPDATE, headers=headers)
    post_webhook("shop/update", SHOP_UPDATE, headers=headers)
    assert [e.event_id for e in events(rt)] == ["wh-1"]


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'"text"', "not a JSON object"),
        (b"\xff\xfe", "not JSON"),
    ],
)
def test_signed_bodies_that_are_not_json_objects_are_recorded_as_rejected(
    rt, shop, post_webhook, raw, why
):
    response = post_webhook("shop/update", None, raw=raw)
    assert response.status_code == 400
    assert why in response.get_json()["error"]["message"]
    [event] = events(rt)
    assert event.status == EventStatus.REJECTED and event.body == raw
    assert queued(rt) == []


def test_missing_topic_or_shop_headers_are_rejected_not_lost(rt, shop, post_webhook):
    assert post_webhook("", SHOP_UPDATE).status_code == 400
    assert post_webhook("shop/update", SHOP_UPDATE, shop="").status_code == 400
    assert post_webhook("shop/update", SHOP_UPDATE, shop="evil.example.com").status_code == 400
    assert [e.status for e in events(rt)] == [EventStatus.REJECTED] * 3


def test_an_unknown_topic_is_recorded_and_ignored(rt, shop, post_webhook):
    response = post_webhook("products/create", {"id": 1})
    assert response.get_json() == {"status": "ignored"}
    assert [e.status for e in events(rt)] == [EventStatus.IGNORED]
    assert queued(rt) == []


def test_a_shop_that_is_not_installed_is_recorded_and_ignored(rt, post_webhook):
    response = post_webhook("shop/update", SHOP_UPDATE, shop="stranger.myshopify.com")
    assert response.get_json() == {"status": "ignored"}
    assert [e.status for e in events(rt)] == [EventStatus.IGNORED]


def test_bodies_over_5_mib_get_413_and_are_not_stored(rt, shop, post_webhook):
    big = b'{"x": "' + b"a" * (5 * 1024 * 1024) + b'"}'
    response = post_webhook("shop/update", None, raw=big)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"]
    assert events(rt) == []


def test_database_down_gets_503_so_shopify_retries(rt, shop, post_webhook, monkeypatch):
    from sqlalchemy import create_engine

    from loyalty.core.db import DirectConnections, make_session_factory

    dead = create_engine(
        "postgresql+psycopg://127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    monkeypatch.setattr(rt, "sessions", make_session_factory(dead))
    if rt.direct is not None:  # PostgreSQL: the intake's own connection is down too
        monkeypatch.setattr(rt, "direct", DirectConnections(dead))
    response = post_webhook("shop/update", SHOP_UPDATE)
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "unavailable"


def test_redis_down_after_the_row_is_written_still_answers_200(
    rt, shop, post_webhook, monkeypatch, dead_redis
):
    """The row is the promise: the outbox sweeper enqueues it once Redis is back."""
    from rq import Queue

    monkeypatch.setitem(rt.queues, "webhooks", Queue("webhooks", connection=dead_redis))
    response = post_webhook("shop/update", SHOP_UPDATE, event_id="evt-redis-down")
    assert response.status_code == 200
    [event] = events(rt)
    assert event.status == EventStatus.RECEIVED and event.enqueued_at is None


def test_a_redelivery_of_an_event_never_enqueued_is_enqueued(
    rt, shop, post_webhook, monkeypatch, dead_redis
):
    from rq import Queue

    live = rt.queue("webhooks")
    monkeypatch.setitem(rt.queues, "webhooks", Queue("webhooks", connection=dead_redis))
    post_webhook("shop/update", SHOP_UPDATE, event_id="evt-retry")
    monkeypatch.setitem(rt.queues, "webhooks", live)
    response = post_webhook("shop/update", SHOP_UPDATE, event_id="evt-retry")
    assert response.get_json() == {"status": "requeued"}
    [event] = events(rt)
    assert queued(rt) == [f"event-{event.id}"]
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(WebhookEvent)) == 1
