"""Calling the app as Shopify does: signed webhooks, signed app-proxy requests, session tokens."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jwt
import pytest
from flask.testing import FlaskClient

from loyalty.core.config import DEMO_API_KEY, DEMO_API_SECRET
from tests.support.shops import SHOP, SHOP_A

HOST = "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWxwaGE"
"""Shopify's ``host`` parameter for shop A's admin (base64 of admin.shopify.com/store/alpha)."""


@pytest.fixture
def post_webhook(client: FlaskClient) -> object:
    """Post a webhook the way Shopify signs it: ``post_webhook(topic, payload, **headers)``."""
    import json
    import uuid
    from datetime import UTC, datetime

    from loyalty.shopify.signatures import webhook_signature

    def post(
        topic: str,
        payload: object,
        *,
        shop: str = SHOP,
        event_id: str | None = None,
        secret: str = DEMO_API_SECRET,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> object:
        body = raw if raw is not None else json.dumps(payload).encode()
        sent = {
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": webhook_signature(body, secret),
            "X-Shopify-Shop-Domain": shop,
            "X-Shopify-API-Version": "2026-10",
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
            "X-Shopify-Triggered-At": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "Content-Type": "application/json",
        }
        sent.update(headers or {})
        return client.post("/webhooks", data=body, headers={k: v for k, v in sent.items() if v})

    return post


@pytest.fixture
def proxy(client: FlaskClient) -> object:
    """Call the app proxy as Shopify forwards it: signed query, shopper from Shopify.

    ``proxy("GET", "/proxy/api/member", customer_id=7)``; ``customer_id=None`` is a guest.
    """
    from loyalty.shopify.signatures import proxy_signature

    def call(
        method: str,
        path: str,
        *,
        customer_id: int | str | None = None,
        shop: str = SHOP,
        secret: str = DEMO_API_SECRET,
        timestamp: int | None = None,
        extra: dict[str, list[str]] | None = None,
        tamper: dict[str, str] | None = None,
        **kwargs: object,
    ) -> object:
        params = {**app_proxy_params(customer_id, shop, timestamp), **(extra or {})}
        params["signature"] = [proxy_signature(params, secret)]
        for key, value in (tamper or {}).items():
            params[key] = [value]
        query = [(k, v) for k, values in params.items() for v in values]
        return client.open(path, method=method, query_string=query, **kwargs)

    return call


def app_proxy_params(
    customer_id: int | str | None, shop: str = SHOP, timestamp: int | None = None
) -> dict[str, list[str]]:
    """The parameters Shopify's app proxy adds to a request (all but ``signature``)."""
    return {
        "shop": [shop],
        "logged_in_customer_id": ["" if customer_id is None else str(customer_id)],
        "path_prefix": ["/apps/klubb"],
        "timestamp": [str(int(time.time()) if timestamp is None else timestamp)],
    }


class AppProxy:
    """Shopify's app proxy in front of a WSGI app: each request under ``/proxy`` gets the
    shopper's parameters and the signature over its whole query, as Shopify forwards it
    (parameters of those names that the caller sent are replaced)."""

    def __init__(self, app: Any, customer_id: int | None, shop: str = SHOP) -> None:
        self.app = app
        self.customer_id = customer_id
        self.shop = shop

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from loyalty.shopify.signatures import proxy_signature

        path = environ.get("PATH_INFO", "")
        if path == "/proxy" or path.startswith("/proxy/"):
            added = app_proxy_params(self.customer_id, self.shop)
            params: dict[str, list[str]] = {}
            for key, value in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True):
                if key not in added and key != "signature":
                    params.setdefault(key, []).append(value)
            params.update(added)
            params["signature"] = [proxy_signature(params, DEMO_API_SECRET)]
            query = urlencode([(k, v) for k, values in params.items() for v in values])
            environ = {**environ, "QUERY_STRING": query}
        return self.app(environ, start_response)


def session_token_claims(shop: str, key: str = DEMO_API_KEY, **overrides: Any) -> dict[str, Any]:
    """The claims App Bridge puts in a session token for ``shop``; ``overrides`` change or add."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": key,
        "sub": "42",
        "exp": now + 60,
        "nbf": now,
        "iat": now,
        "jti": f"jti-{now}",
        "sid": "session-1",
    }
    claims.update(overrides)
    return claims


def session_token(shop: str, **overrides: Any) -> str:
    """A session token as App Bridge issues it; ``overrides`` change or (None) drop claims."""
    secret = overrides.pop("secret", DEMO_API_SECRET)
    claims = session_token_claims(shop, **overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, algorithm="HS256")


def bearer(shop: str, **overrides: Any) -> dict[str, str]:
    """Headers for an /api call authenticated as staff of ``shop``."""
    return {"Authorization": f"Bearer {session_token(shop, **overrides)}"}


def embedded_url(path: str, **params: str) -> str:
    """``path`` as Shopify's admin loads it in its frame for shop A (``embedded``, ``shop``, ``host``)."""
    return f"{path}?{urlencode({'embedded': '1', 'shop': SHOP_A, 'host': HOST, **params})}"
