"""Fixtures for the widget's API tests: the admin's installed shops (for /api/appearance)."""

from __future__ import annotations

from tests.admin.conftest import make_shop, shop_a, shop_b  # noqa: F401 - shared fixtures
