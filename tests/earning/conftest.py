"""Fixtures for the ways to earn: shops installed on the fake Shopify, with their customers.

``club(domain, timezone=..., **settings)`` stores a shop with those program settings and a real
token from the fake Shopify (so the jobs the rewards queue, balance syncs and birthday codes,
reach it); customers 101-140 exist there. Members join and give birthdays through the app proxy
(tests/earning/helpers.py), and the scheduled job runs as RQ runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from loyalty.core.config import Config
from loyalty.core.models import Shop
from tests.earning.helpers import CUSTOMERS
from tests.support.shops import SHOP


@pytest.fixture
def config(config: Config) -> Config:
    """Plenty of widget calls from one shopper in a test: no rate limit gets in the way."""
    return config.with_overrides(rate_limit_per_shopper=10_000, rate_limit_per_shop=100_000)


@pytest.fixture
def club(installed_shop: Callable[..., Shop], fake_shopify: Any) -> Callable[..., Shop]:
    """``club(domain=SHOP, *, timezone="Europe/Oslo", **settings)``: the installed shop."""

    def make(domain: str = SHOP, *, timezone: str = "Europe/Oslo", **settings: Any) -> Shop:
        fake = fake_shopify.add_shop(domain, currency="NOK", timezone=timezone, installed=True)
        for customer in CUSTOMERS:
            fake.add_customer(customer, "Kunde", str(customer), f"c{customer}@example.com")
        return installed_shop(domain, tokens=True, timezone=timezone, settings=settings)

    return make
