"""Fixtures for the compliance webhooks: the installed test shop, and Ingeborg in it.

Requests arrive through the real entry point, ``POST /webhooks`` (the ``post_webhook``
fixture), and are worked off by the real worker (:func:`jobs.worker.drain`); the tests then
read the database back (:mod:`tests.privacy.tables`).
"""

from __future__ import annotations

from typing import Any

import pytest

from loyalty.core.models import Shop
from tests.admin.conftest import make_shop, shop_a, shop_b  # noqa: F401 - shared fixtures
from tests.privacy.people import INGEBORG, Seeded, seed_customer


@pytest.fixture
def shop_id(shop: Shop) -> int:
    """The installed test shop's id."""
    return shop.id


@pytest.fixture
def ingeborg(rt: Any, shop_id: int) -> Seeded:
    """Ingeborg, a member of the test shop with a full history."""
    return seed_customer(rt.sessions, shop_id, INGEBORG)
