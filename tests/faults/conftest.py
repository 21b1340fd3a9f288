"""The fault tests' own setup: a Redis of each test's own (``private_redis``), which the tests
stop, flush and restart, and which the app, the worker and the scheduler all use; the outbox
sweepers every few seconds instead of every minute (``OUTBOX_SWEEP_SECONDS``), so a recovery
that needs them fits a test."""

from __future__ import annotations

import pytest

from tests.faults.production import SWEEP_SECONDS


@pytest.fixture
def redis_url(private_redis):
    """This test's private Redis, never the shared one."""
    return private_redis.url


@pytest.fixture
def config(config):
    """The sweepers run every few seconds."""
    return config.with_overrides(outbox_sweep_seconds=SWEEP_SECONDS)
