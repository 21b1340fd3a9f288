"""Fixtures for the engine's jobs: a shop installed on the fake Shopify with a real token.

Webhooks go through the fake's signed sender to the served app, and ``deliver`` runs the queued
jobs in-process (``drain``), the ``shopify`` queue's jobs included, so a test sees what the
fake Shopify holds afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.support.jobs import drain
from tests.support.shops import SHOP
from tests.worker.helpers import CUSTOMER


@pytest.fixture
def fake_shop(fake_shopify: Any) -> Any:
    """The shop on the fake Shopify, with the customer the tests enrol."""
    shop = fake_shopify.add_shop(SHOP, currency="NOK", installed=True)
    shop.add_customer(CUSTOMER, "Kari", "Nordmann", "kari@example.com")
    return shop


@pytest.fixture
def shop_id(installed_shop: Callable[..., Any], fake_shop: Any) -> int:
    """The shop installed in the app with a token from the fake; the client backs off fast."""
    return installed_shop(tokens=True).id


@pytest.fixture
def deliver(live_app: str, fake_shopify: Any, shop_id: int, app: Flask) -> Callable[..., Any]:
    """``deliver(topic, body, drain_jobs=True, **kw)``: the fake's signed sender, then the worker."""

    def send(topic: str, body: Any, *, drain_jobs: bool = True, **kwargs: Any) -> Any:
        response = fake_shopify.send_webhook(topic, SHOP, body, **kwargs)
        assert response.status_code == 200, response.text
        if drain_jobs:
            drain(app)
        return response

    return send
