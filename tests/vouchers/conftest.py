"""Fixtures for spend vouchers end to end: the test shop installed on the fake Shopify with a
real token (so the voucher jobs reach it), its customer there, and the admin's calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from loyalty.core.models import Shop
from tests.support.http import bearer
from tests.support.points import Klubb
from tests.support.shops import SHOP
from tests.vouchers.story import CUSTOMER


@pytest.fixture
def shop(installed_shop: Callable[..., Shop], fake_shopify: Any) -> Shop:
    """The test shop, also in the fake Shopify (Oslo, NOK) with the customer in it, stored with
    a real token from it (so the voucher jobs reach it)."""
    fake = fake_shopify.add_shop(SHOP, currency="NOK", timezone="Europe/Oslo", installed=True)
    fake.add_customer(CUSTOMER, "Kari", "Nordmann", "kari@example.com")
    return installed_shop(SHOP, tokens=True, timezone="Europe/Oslo")


@pytest.fixture
def fake_shop(shop: Shop, fake_shopify: Any) -> Any:
    """The test shop's state in the fake Shopify."""
    return fake_shopify.shops[SHOP]


@pytest.fixture
def admin(client: Any) -> Callable[..., Any]:
    """``admin(method, path, body=None, status=200)``: the embedded admin's call, JSON back."""

    def call(method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = client.open(path, method=method, json=body, headers=bearer(SHOP))
        assert response.status_code == status, response.get_json()
        return response.get_json()

    return call


@pytest.fixture
def klubb_of_shop(rt: Any, shop: Shop) -> Klubb:
    """The engine driver of the test shop (reads its vouchers and ledger)."""
    return Klubb(rt.sessions, shop.id)
