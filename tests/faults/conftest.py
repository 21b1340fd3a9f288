"""The fault tests' own setup: a Redis of each test's own (``private_redis``), which the tests
stop, flush and restart, and which the app, the worker and the scheduler all use."""

from __future__ import annotations

import pytest


@pytest.fixture
def redis_url(private_redis):
    """This test's private Redis, never the shared one."""
    return private_redis.url
