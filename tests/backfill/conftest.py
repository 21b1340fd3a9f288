"""Fixtures for the backfill: a shop on the fake Shopify with customers and past orders.

The shop is installed in the app with a real token from the fake (``installed_shop(tokens=True)``,
outside a request, so no run starts by itself); ``backfill(**options)`` is the merchant's
``POST /api/backfill`` with a session token, then the queued jobs run (``drain``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.backfill.helpers import DAY, KARI, OLA, ORDER_GUEST, ORDER_KARI, ORDER_OLD
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.shops import SHOP


@pytest.fixture
def fake_shop(fake_shopify: Any) -> Any:
    """Two customers; Kari's order of 250 kr ten days ago, a guest's order, one 90 days old."""
    shop = fake_shopify.add_shop(SHOP, currency="NOK", timezone="Europe/Oslo")
    now = fake_shopify.clock.now()
    kari = shop.add_customer(KARI, "Kari", "Nordmann", "kari@example.com")
    shop.add_customer(OLA, "Ola", "Hansen", "ola@example.com")
    shop.add_order(ORDER_KARI, customer=kari, subtotal="250.00", processed_at=now - 10 * DAY)
    shop.add_order(ORDER_GUEST, subtotal="99.00", processed_at=now - 5 * DAY)
    shop.add_order(ORDER_OLD, customer=kari, subtotal="500.00", processed_at=now - 90 * DAY)
    return shop


@pytest.fixture
def install(installed_shop: Callable[..., Any], fake_shop: Any) -> Any:
    """``install(scopes=None)``: install the shop in the app (optionally with other scopes)."""

    def run(scopes: str | None = None) -> int:
        return int(installed_shop(tokens=True, scopes=scopes).id)

    return run


@pytest.fixture
def shop_id(install: Any) -> int:
    """The shop installed with the app's usual scopes (no ``read_all_orders``)."""
    return int(install())


@pytest.fixture
def api(client: FlaskClient) -> Callable[..., Any]:
    """``api(method, path, json=None, shop=SHOP)``: an /api call with a fresh session token."""

    def call(method: str, path: str, json: Any = None, shop: str = SHOP, **kw: Any) -> Any:
        return client.open(path, method=method, json=json, headers=bearer(shop, **kw))

    return call


@pytest.fixture
def backfill(api: Any, app: Flask, live_app: str) -> Callable[..., Any]:
    """``backfill(**options)``: start a run through the API (202), run its jobs; the progress."""

    def run(**options: Any) -> dict[str, Any]:
        started = api("POST", "/api/backfill", json=options)
        assert started.status_code == 202, started.get_json()
        drain(app)
        return api("GET", "/api/backfill").get_json()

    return run
