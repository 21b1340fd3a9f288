"""Fixtures for referrals: a shop on the fake Shopify with referrals on and a referring member.

``referral_shop(domain=SHOP, **settings)`` installs the shop (referrals on, the settings of
:data:`tests.referrals.helpers.SETTINGS` unless given) with customers 101-110 on the fake
Shopify; ``referrer`` is customer 101, joined through the widget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from loyalty.core.config import Config
from loyalty.core.models import Shop
from tests.referrals.helpers import REFERRER, REFERRER_PHONE, SETTINGS
from tests.support.bodies import customer_body
from tests.support.jobs import drain
from tests.support.shops import SHOP


@pytest.fixture
def config(config: Config) -> Config:
    """No shopper or shop limit in the way (the referral limits are the ones under test)."""
    return config.with_overrides(rate_limit_per_shopper=10_000, rate_limit_per_shop=100_000)


@pytest.fixture
def referral_shop(installed_shop: Callable[..., Shop], fake_shopify: Any) -> Callable[..., Any]:
    """``referral_shop(domain=SHOP, **settings)``: the fake shop (customers 101-110)."""

    def make(domain: str = SHOP, **settings: Any) -> Any:
        fake = fake_shopify.add_shop(domain, currency="NOK", installed=True)
        for customer in range(101, 111):
            phone = REFERRER_PHONE if customer == REFERRER else None
            fake.add_customer(customer, "Kunde", str(customer), f"c{customer}@example.com", phone)
        installed_shop(domain, tokens=True, settings={**SETTINGS, **settings})
        return fake

    return make


@pytest.fixture
def fake(referral_shop: Callable[..., Any], post_webhook: Any, app: Any) -> Any:
    """Shop A on the fake Shopify, with customer 101 a member (the referrer), enrolled by
    Shopify's ``customers/create`` with their email and phone."""
    shop = referral_shop()
    body = customer_body(REFERRER, email="c101@example.com", phone=REFERRER_PHONE)
    assert post_webhook("customers/create", body).status_code == 200
    drain(app)
    return shop
