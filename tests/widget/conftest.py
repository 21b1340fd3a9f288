"""Fixtures for the storefront widget: a shop like tests/rewards' (Kari and Ola its customers,
a token from the fake Shopify), served on loopback behind the test storefront
(devtools/storefront), which signs app-proxy calls as Shopify does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from devtools.storefront.server import Storefront
from loyalty.core.config import Config
from tests.support.rewards import CUSTOMER, OTHER_CUSTOMER, give_points
from tests.support.shops import SHOP


@pytest.fixture
def config(config: Config) -> Config:
    """Redemptions wait up to 5 s for Shopify (a loaded test machine is slow); jobs retry at once."""
    return config.with_overrides(
        redemption_wait_seconds=5.0, redemption_retry_intervals=(0, 0), rate_limit_per_shopper=1000
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
def storefront(live_app: str, shop_id: int) -> Iterator[Storefront]:
    """The test storefront in front of the live app; a guest until ``customer_id`` is set."""
    front = Storefront(app_url=live_app).start()
    yield front
    front.stop()


@pytest.fixture
def member(rt: Any, shop_id: int) -> int:
    """Kari (customer 7), a member with 1000 points: her member id."""
    return give_points(rt, shop_id, CUSTOMER, 1000)


@pytest.fixture
def rewards(make_reward: Callable[..., str]) -> dict[str, str]:
    """Three rewards: 50 kr off (500), 10 % off (800), free shipping (1500); ids by name."""
    return {
        "amount": make_reward(title="50 kr off", points_cost=500, code_lifetime_days=30),
        "percent": make_reward(
            title="10 % off everything", kind="percentage", value="0.1", points_cost=800
        ),
        "shipping": make_reward(
            title="Free shipping", kind="free_shipping", value=None, points_cost=1500
        ),
    }


@pytest.fixture
def open_panel(page: Any, storefront: Storefront) -> Callable[..., Any]:
    """``open_panel(path="/")``: load the storefront page, click the launcher, wait for a view."""

    def open_(path: str = "/") -> Any:
        page.goto(storefront.url + path)
        page.wait_for_function("window.KlubbLauncher === true")  # the async launcher has run
        page.locator(".klubb-launcher").click()
        dialog = page.get_by_role("dialog")
        dialog.locator(".klubb-body[data-view]").wait_for()
        return dialog

    return open_
