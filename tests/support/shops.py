"""Installed shops as rows in the app's database."""

from __future__ import annotations

import pytest

SHOP = "klubb-test.myshopify.com"


@pytest.fixture
def shop(rt: object) -> object:
    """An installed shop row with default program settings (no tokens: for API-level tests)."""
    from loyalty.core.models import ProgramSettings, Shop
    from loyalty.core.types import utcnow

    with rt.sessions.begin() as s:  # type: ignore[attr-defined]
        row = Shop(domain=SHOP, name="Klubb Test", currency="NOK", installed_at=utcnow())
        row.settings = ProgramSettings()
        s.add(row)
    return row
