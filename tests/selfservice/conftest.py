"""Fixtures for member self-service: Ingeborg (``ingeborg``) calling as a member, signed.

Every call goes through the real entry point, the app proxy, signed as Shopify signs it (the
``proxy`` fixture); the tests then read the answer, the database and the fake Shopify back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from loyalty.core.models import Shop
from loyalty.privacy.compliance import customer_hash_key
from tests.support.members import install_on_fake_shopify, member_caller


@pytest.fixture
def me(proxy: Callable[..., Any]) -> Callable[..., Any]:
    """A signed app-proxy call as Ingeborg (see :func:`tests.support.members.member_caller`)."""
    return member_caller(proxy)


@pytest.fixture
def hash_key(config: Any) -> bytes:
    """The key tombstones are written with."""
    return customer_hash_key(config)


@pytest.fixture
def fake_shop(rt: Any, shop: Shop, fake_shopify: Any, config: Any) -> Any:
    """The test shop on the fake Shopify, its token in the app (see ``install_on_fake_shopify``)."""
    return install_on_fake_shopify(rt, fake_shopify, config)
