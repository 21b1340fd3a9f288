"""PostgreSQL stops under a burst of orders, and everything comes right with nobody touching it.

The production shape of tests/faults/production.py on a PostgreSQL cluster the test made
itself on a spare port (as root, run as the ``postgres`` user), never the shared server: orders
arrive, the server is shut down at once (every connection cut, jobs failing mid-way), orders
keep arriving and are refused with 503 (so Shopify delivers them again), the server comes back.
"""

from __future__ import annotations

import time

import pytest

from loyalty.core.config import Config
from migrations import upgrade
from tests.faults.production import assert_recovered, production_run
from tests.support.orders import OrderBurst
from tests.support.private_servers import needs_postgres_binaries, needs_redis_server
from tests.support.workers import CONCURRENT_POSTGRES

pytestmark = [
    pytest.mark.slow,
    needs_redis_server(),
    needs_postgres_binaries(),
    *CONCURRENT_POSTGRES,
]

DOWN_SECONDS = 5


@pytest.fixture
def database_url(private_postgres, tmp_path):
    """A migrated database on this test's own PostgreSQL."""
    url = private_postgres.create_database("klubb")
    upgrade(Config(database_url=url, instance_path=tmp_path / "migrate"))
    return url


@pytest.fixture
def production(config, private_redis, shop, tmp_path):
    with production_run(config, private_redis.url, tmp_path) as run:
        yield run


def test_postgres_stopped_mid_burst(production, private_postgres, post_webhook, client, rt):
    burst = OrderBurst(post_webhook)
    assert set(burst.send(30)) == {200}
    private_postgres.stop(fast=True)  # an immediate shutdown, as a crash or a failover
    assert set(burst.send(10)) == {503}  # nothing recorded: Shopify delivers them again
    time.sleep(DOWN_SECONDS)  # the worker's jobs meet the outage too
    private_postgres.start()
    assert set(burst.redeliver()) == {200}  # Shopify's retries
    assert set(burst.send(10)) == {200}

    assert_recovered(production, burst, client, rt)
