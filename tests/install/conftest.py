"""Fixtures for install and tokens: a shop on the fake Shopify, the app's token dependencies.

The app's Shopify client runs on the fake's clock here, so ``fake.advance(...)`` expires the
tokens the app stored as well as the fake's own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from loyalty.core.config import Config
from loyalty.core.models import Shop
from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.tokens import TokenCipher
from tests.support.shops import SHOP


@pytest.fixture
def fake_now(fake_shopify: Any) -> Callable[[], datetime]:
    """The fake Shopify's clock as an aware datetime."""
    return lambda: datetime.fromtimestamp(fake_shopify.clock.now(), UTC)


@pytest.fixture
def shopify(app: Flask, config: Config, fake_now: Callable[[], datetime]) -> ShopifyClient:
    """The app's Shopify client, on the fake's clock, with no real sleeping between retries."""
    client = ShopifyClient(config, clock=fake_now, sleep=lambda _s: None)
    app.extensions["klubb"].shopify_client = client
    return client


@pytest.fixture
def cipher(config: Config) -> TokenCipher:
    """The app's token cipher."""
    return TokenCipher.from_config(config)


@pytest.fixture
def shop_lock(rt: Any) -> Callable[[str], Any]:
    """The per-shop token lock the app uses (a Redis lock)."""
    from runtime import token_lock

    return token_lock(rt)


@pytest.fixture
def fake_shop(fake_shopify: Any) -> Any:
    """A shop on the fake Shopify where the app is installed (Shopify-managed installation)."""
    return fake_shopify.add_shop(SHOP, installed=True)


@pytest.fixture
def installed(
    app: Flask, rt: Any, fake_shopify: Any, fake_shop: Any, shopify: ShopifyClient
) -> Shop:
    """The shop installed in the app through token exchange, as the first embedded load does."""
    from admin.install import install_from_id_token

    return install_from_id_token(SHOP, fake_shopify.session_token(SHOP))
