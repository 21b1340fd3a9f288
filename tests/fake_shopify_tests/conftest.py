"""Fixtures for the fake Shopify tests: a running fake, a token for its shop, a webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.fake_shopify import FakeShopify
from tests.fake_shopify_tests.helpers import KEY, OTHER, SECRET, SHOP, Receiver


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    """A running fake with two shops (neither installed yet)."""
    server = FakeShopify(api_key=KEY, api_secret=SECRET, app_url="http://127.0.0.1:5999")
    server.start()
    server.add_shop(SHOP, name="Demo", currency="NOK", timezone="Europe/Oslo", locale="nb")
    server.add_shop(OTHER, name="Other")
    yield server
    server.stop()


@pytest.fixture
def token(fake: FakeShopify) -> str:
    """An expiring offline token for SHOP (installed by the helper)."""
    return fake.issue_token(SHOP)["access_token"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box = Receiver([200])
    yield box
    box.server.shutdown()
