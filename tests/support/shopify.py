"""The fake Shopify on loopback, its signed webhooks run through the worker (``deliver``), and
installing a shop in the app with a token it issued."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from loyalty.core.config import DEMO_API_KEY, DEMO_API_SECRET, Config
from tests.support.shops import SHOP


@pytest.fixture
def fake_shopify(app_port: int, fake_port: int) -> Iterator[object]:
    """A strict fake Shopify on loopback, with the demo app's credentials (started on demand)."""
    from devtools.fake_shopify import FakeShopify

    fake = FakeShopify(
        api_key=DEMO_API_KEY,
        api_secret=DEMO_API_SECRET,
        app_url=f"http://127.0.0.1:{app_port}",
        port=fake_port,
    )
    fake.start()
    yield fake
    fake.stop()


def install_with_fake_token(
    rt: object, fake_shopify: object, config: Config, domain: str = SHOP
) -> int:
    """Install ``domain`` in the app with a real expiring token issued by the fake; its id.

    The shop must exist on the fake (``fake_shopify.add_shop(domain, installed=True)``).
    """
    from datetime import timedelta

    from loyalty.core.types import utcnow
    from loyalty.shopify.client import TokenSet
    from loyalty.shopify.shops import record_install
    from loyalty.shopify.tokens import TokenCipher

    granted = fake_shopify.issue_token(domain)  # type: ignore[attr-defined]
    now = utcnow()
    tokens = TokenSet(
        access_token=granted["access_token"],
        expires_at=now + timedelta(seconds=granted["expires_in"]),
        refresh_token=granted.get("refresh_token"),
        refresh_expires_at=now + timedelta(seconds=granted["refresh_token_expires_in"]),
        scope=granted["scope"],
    )
    installed = record_install(rt.sessions, TokenCipher.from_config(config), domain, tokens)  # type: ignore[attr-defined]
    return int(installed.shop.id)


@pytest.fixture
def deliver(live_app: str, fake_shopify: Any, shop: Any, app: Any) -> Any:
    """``deliver(topic, body, **kwargs)``: the fake's signed sender posts it to the served app
    for the test shop (``SHOP``), then the queued jobs run (``tests.support.jobs.drain``)."""
    from tests.support.jobs import drain

    def send(topic: str, body: Any, **kwargs: Any) -> Any:
        response = fake_shopify.send_webhook(topic, SHOP, body, **kwargs)
        assert response.status_code == 200, response.text
        drain(app)
        return response

    return send


def token_grants(fake: Any, grant_type: str | None = None) -> list[dict[str, Any]]:
    """The fake's token endpoint log, optionally only one grant type."""
    return [r for r in fake.token_requests if grant_type is None or r["grant_type"] == grant_type]
