"""Fixtures for rewards and redemption: a shop installed on the fake Shopify, a member, rewards.

The app reaches the fake Shopify over HTTP with real tokens; the shopper reaches the app through
the signed ``proxy`` fixture (or, for races, over HTTP against ``live_app``). Redemptions wait
one second for Shopify here, and the finishing job retries at once, so ``drain`` runs them all.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from loyalty.core.config import Config
from tests.support.rewards import CUSTOMER, OTHER_CUSTOMER, WAIT_SECONDS, give_points
from tests.support.shops import SHOP


@pytest.fixture
def config(config: Config) -> Config:
    """The suite's configuration, with a short wait for Shopify and immediate job retries."""
    return config.with_overrides(
        redemption_wait_seconds=WAIT_SECONDS,
        redemption_retry_intervals=(0, 0),
        rate_limit_per_shopper=1000,
    )


@pytest.fixture
def fake_shop(fake_shopify: Any) -> Any:
    """The shop on the fake Shopify, with the two customers the tests sign in as."""
    shop = fake_shopify.add_shop(SHOP, currency="NOK", installed=True)
    shop.add_customer(CUSTOMER, "Kari", "Nordmann", "kari@example.com")
    shop.add_customer(OTHER_CUSTOMER, "Ola", "Nordmann", "ola@example.com")
    return shop


@pytest.fixture
def shop_id(installed_shop: Callable[..., Any], fake_shop: Any) -> int:
    """The shop installed in the app with a token from the fake; the job client backs off fast."""
    return installed_shop(tokens=True).id


@pytest.fixture
def member_id(rt: Any, shop_id: int) -> int:
    """Kari, a member with 1000 points."""
    return give_points(rt, shop_id, CUSTOMER, 1000)


@pytest.fixture
def reward_id(make_reward: Callable[..., str]) -> str:
    """50 kr off for 500 points, codes valid 30 days."""
    return make_reward(code_lifetime_days=30)


@pytest.fixture
def redeem(proxy: Any) -> Callable[..., Any]:
    """``redeem(reward_id, key=..., customer_id=7)``: POST /proxy/api/redemptions as the widget."""

    def call(reward: str, *, key: str | None = None, customer_id: int | None = CUSTOMER) -> Any:
        return proxy(
            "POST",
            "/proxy/api/redemptions",
            customer_id=customer_id,
            json={"reward_id": reward},
            headers={"Idempotency-Key": key or str(uuid.uuid4())},
        )

    return call
