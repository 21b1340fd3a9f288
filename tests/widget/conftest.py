"""Fixtures for the storefront widget: the shop and rewards of tests/rewards, served on loopback
behind the test storefront (devtools/storefront), which signs app-proxy calls as Shopify does;
the admin's installed shops for the widget's API tests (/api/appearance, the loyalty page)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from devtools.storefront.server import Storefront
from loyalty.core.config import Config
from tests.rewards.conftest import fake_shop, make_reward, shop_id  # noqa: F401
from tests.rewards.helpers import CUSTOMER, give_points


@pytest.fixture
def config(config: Config) -> Config:
    """Redemptions wait up to 5 s for Shopify (a loaded test machine is slow); jobs retry at once."""
    return config.with_overrides(
        extra={
            "redemption_wait_seconds": 5.0,
            "redemption_retry_intervals": [0, 0],
            "rate_limit_per_shopper": 1000,
        }
    )


@pytest.fixture
def storefront(live_app: str, shop_id: int) -> Iterator[Storefront]:  # noqa: F811
    """The test storefront in front of the live app; a guest until ``customer_id`` is set."""
    front = Storefront(app_url=live_app).start()
    yield front
    front.stop()


@pytest.fixture
def member(rt: Any, shop_id: int) -> int:  # noqa: F811
    """Kari (customer 7), a member with 1000 points: her member id."""
    return give_points(rt, shop_id, CUSTOMER, 1000)


@pytest.fixture
def rewards(make_reward: Callable[..., str]) -> dict[str, str]:  # noqa: F811
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
