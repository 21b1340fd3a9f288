"""Fixtures for the compliance webhooks: the installed test shop, and Ingeborg in it.

Requests arrive through the real entry point, ``POST /webhooks`` (the ``post_webhook``
fixture), and are worked off by the real worker (:func:`jobs.worker.drain`); the tests then
read the database back (:mod:`tests.privacy.tables`).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.privacy.people import INGEBORG, Seeded, seed_customer


@pytest.fixture
def ingeborg(rt: Any, shop_id: int) -> Seeded:
    """Ingeborg, a member of the test shop with a full history."""
    return seed_customer(rt.sessions, shop_id, INGEBORG)
