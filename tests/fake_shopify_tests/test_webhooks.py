"""The fake Shopify's webhook sender: signed like Shopify's, retried with the same body."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from devtools.fake_shopify import FakeShopify, sign_webhook
from tests.fake_shopify_tests.helpers import SECRET, SHOP, Receiver

# ---------------------------------------------------------------------------------------
# Webhooks


def test_webhook_is_signed_like_shopify(fake: FakeShopify, receiver: Receiver) -> None:
    response = fake.send_webhook(
        "orders/create", SHOP, {"id": 820982911946154500, "note": "æøå"}, address=receiver.url
    )
    assert response.status_code == 200
    headers, body = receiver.calls[0]
    expected = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    assert headers["X-Shopify-Hmac-Sha256"] == expected == sign_webhook(body, SECRET)
    assert json.loads(body) == {"id": 820982911946154500, "note": "æøå"}
    assert headers["X-Shopify-Topic"] == "orders/create"
    assert headers["X-Shopify-Shop-Domain"] == SHOP
    assert headers["X-Shopify-Api-Version"] == "2026-10"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Shopify-Triggered-At"].endswith("Z")
    fake.send_webhook("orders/create", SHOP, {"id": 1}, address=receiver.url)
    second = receiver.calls[1][0]
    assert second["X-Shopify-Event-Id"] != headers["X-Shopify-Event-Id"]
    assert second["X-Shopify-Webhook-Id"] != headers["X-Shopify-Webhook-Id"]


def test_webhook_retries_with_same_body_and_headers(fake: FakeShopify) -> None:
    failing = Receiver([500, 302, 500, 200])
    try:
        response = fake.send_webhook(
            "customers/redact",
            SHOP,
            b'{"shop_id":1}',
            retry=True,
            address=failing.url,
            event_id="evt-1",
        )
        assert response.status_code == 200
        assert len(failing.calls) == 4
        first_headers, first_body = failing.calls[0]
        for headers, body in failing.calls[1:]:
            assert body == first_body
            assert headers["X-Shopify-Hmac-Sha256"] == first_headers["X-Shopify-Hmac-Sha256"]
            assert headers["X-Shopify-Event-Id"] == "evt-1"
            assert headers["X-Shopify-Webhook-Id"] == first_headers["X-Shopify-Webhook-Id"]
    finally:
        failing.server.shutdown()
    dead = Receiver([500])
    try:
        assert (
            fake.send_webhook("shop/redact", SHOP, {}, retry=True, address=dead.url).status_code
            == 500
        )
        assert len(dead.calls) == 9
    finally:
        dead.server.shutdown()
