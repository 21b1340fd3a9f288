"""Signed webhooks at the edges get a stated 4xx, and a record where one can be kept: bodies
nested too deeply, headers longer than any Shopify sends, bodies over 5 MiB sent chunked
(issue #15, items 9-11); deep JSON to the other JSON endpoints is a 400 too."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from loyalty.core.config import DEMO_API_SECRET
from loyalty.core.models import EventStatus, WebhookEvent
from loyalty.shopify.signatures import webhook_signature
from tests.support.shops import SHOP

SHOP_UPDATE = {"id": 548380009, "name": "Klubb Test", "currency": "NOK"}


def recorded(rt) -> list[WebhookEvent]:
    with rt.sessions() as s:
        return list(s.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.embedded
def test_a_signed_body_nested_too_deeply_is_400_and_recorded_as_rejected(rt, shop, post_webhook):
    body = b'{"a": ' + nested(100_000) + b"}"
    response = post_webhook("shop/update", None, raw=body)
    assert response.status_code == 400
    assert "nested too deeply" in response.get_json()["error"]["message"]
    [event] = recorded(rt)
    assert event.status == EventStatus.REJECTED and event.body == body
    assert rt.queue("webhooks").get_job_ids() == []


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Shopify-Event-Id", "e" * 300),
        ("X-Shopify-Topic", "orders/" + "p" * 300),
        ("X-Shopify-API-Version", "2026-10" + "x" * 33),
        ("X-Shopify-Webhook-Id", "w" * 300),
    ],
)
def test_headers_longer_than_shopify_sends_are_400_and_recorded(
    rt, shop, post_webhook, header, value
):
    """Not a 503 (Shopify would retry, then drop it): a 400, with the delivery kept as rejected."""
    response = post_webhook("shop/update", SHOP_UPDATE, headers={header: value})
    assert response.status_code == 400
    assert header in response.get_json()["error"]["message"]
    [event] = recorded(rt)
    assert event.status == EventStatus.REJECTED
    assert value not in (event.event_id, event.topic, event.api_version, event.webhook_id)
    # The same delivery again is the same record, not a second one.
    assert post_webhook("shop/update", SHOP_UPDATE, headers={header: value}).status_code in (
        200,
        400,
    )


def test_a_shop_domain_longer_than_a_dns_label_is_rejected(rt, shop, post_webhook):
    response = post_webhook("shop/update", SHOP_UPDATE, shop="s" * 300 + ".myshopify.com")
    assert response.status_code == 400
    [event] = recorded(rt)
    assert (event.status, event.shop_domain) == (EventStatus.REJECTED, "(invalid)")


@pytest.mark.embedded
def test_a_signed_body_over_5_mib_sent_chunked_is_413_and_not_stored(rt, shop, client):
    body = json.dumps({"x": "a" * (5 * 1024 * 1024)}).encode()
    response = client.post(
        "/webhooks",
        input_stream=io.BytesIO(body),
        headers={
            "Transfer-Encoding": "chunked",
            "X-Shopify-Topic": "shop/update",
            "X-Shopify-Hmac-Sha256": webhook_signature(body, DEMO_API_SECRET),
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-Event-Id": "chunked-1",
            "Content-Type": "application/json",
        },
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"
    assert recorded(rt) == []


@pytest.mark.embedded
def test_deep_json_to_the_widget_api_is_a_400_in_the_error_shape(rt, shop, proxy):
    response = proxy(
        "POST",
        "/proxy/api/join",
        customer_id=7,
        data=b'{"a": ' + nested(5_000) + b"}",
        headers={"Content-Type": "application/json", "Idempotency-Key": "deep-1"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"
