"""The stamps folder's café: a shop on the fake Shopify with coffee, cake and a collection of
beans, installed with a real token (so the jobs reach the fake's Admin API)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from loyalty.core.models import Shop
from tests.stamps.cards import BEANS, CAKE, COFFEE, SHOPPER
from tests.support.shops import SHOP

BEANS_COLLECTION = 900


@pytest.fixture
def cafe(fake_shopify: Any) -> Any:
    """The fake's shop: products coffee, cake, beans; collection 900 holds the beans."""
    fake = fake_shopify.add_shop(SHOP, currency="NOK", installed=True)
    fake.add_product("Coffee", id=COFFEE)
    fake.add_product("Cake", id=CAKE)
    beans = fake.add_product("Coffee beans", id=BEANS)
    fake.add_collection("Beans", [beans], id=BEANS_COLLECTION)
    fake.add_customer(SHOPPER, "Kari", "Nordmann", "kari@example.com")
    return fake


@pytest.fixture
def shop(installed_shop: Callable[..., Shop], cafe: Any) -> Shop:
    """The test shop, holding a token from the fake Shopify."""
    return installed_shop(SHOP, tokens=True)
