"""Webhook deliveries, signed and posted exactly as Shopify does.

Headers: ``X-Shopify-Topic``, ``X-Shopify-Hmac-Sha256`` (base64 HMAC-SHA256 of the raw body
with the client secret), ``X-Shopify-Shop-Domain``, ``X-Shopify-API-Version``,
``X-Shopify-Webhook-Id``, ``X-Shopify-Event-Id``, ``X-Shopify-Triggered-At``; JSON body.
Shopify allows about 1 s to connect and 5 s in all; anything but 2xx (redirects included)
is a failure, retried 8 times over 4 hours with the same payload (here: without waiting).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from .fake import FakeShopify

RETRIES = 8
TIMEOUT = (1.0, 5.0)


def sign_webhook(body: bytes, secret: str) -> str:
    """``X-Shopify-Hmac-Sha256`` for ``body``: base64 of HMAC-SHA256 with the secret."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def triggered_at(ts: float) -> str:
    """``X-Shopify-Triggered-At`` format: ISO 8601 UTC with nanoseconds and ``Z``."""
    moment = datetime.fromtimestamp(ts, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}000Z"


def encode_payload(payload: dict[str, Any] | list[Any] | bytes) -> bytes:
    """The raw body: bytes as given, else compact JSON (what Shopify sends)."""
    if isinstance(payload, bytes):
        return payload
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def send(
    fake: FakeShopify,
    topic: str,
    shop: str,
    payload: dict[str, Any] | list[Any] | bytes,
    *,
    event_id: str | None = None,
    webhook_id: str | None = None,
    triggered_at_ts: float | str | None = None,
    secret: str | None = None,
    api_version: str | None = None,
    address: str | None = None,
    retry: bool = False,
    name: str | None = None,
) -> requests.Response:
    """Post one webhook (and its retries); the last response. Raises if none came back."""
    body = encode_payload(payload)
    if isinstance(triggered_at_ts, str):
        stamp = triggered_at_ts
    else:
        stamp = triggered_at(fake.clock.now() if triggered_at_ts is None else triggered_at_ts)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Shopify-Captain-Hook",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign_webhook(body, fake.api_secret if secret is None else secret),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": api_version or fake.api_version,
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": stamp,
    }
    if name:
        headers["X-Shopify-Name"] = name
    url = address or f"{fake.app_url}/webhooks"
    attempts = 1 + (RETRIES if retry else 0)
    last: requests.Response | None = None
    last_error: Exception | None = None
    for attempt in range(attempts):
        record: dict[str, Any] = {
            "topic": topic,
            "shop": shop,
            "url": url,
            "attempt": attempt + 1,
            "event_id": headers["X-Shopify-Event-Id"],
            "webhook_id": headers["X-Shopify-Webhook-Id"],
            "body": body,
        }
        try:
            last = requests.post(
                url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False
            )
            last_error = None
            record.update(status=last.status_code, ok=200 <= last.status_code < 300)
        except requests.RequestException as exc:
            last_error = exc
            record.update(status=None, ok=False, error=type(exc).__name__)
        with fake.lock:
            fake.webhook_deliveries.append(record)
        if record["ok"]:
            break
    if last is None:
        assert last_error is not None
        raise last_error
    return last
