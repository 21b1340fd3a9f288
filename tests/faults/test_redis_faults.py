"""Redis fails under a burst of orders, and everything comes right with nobody touching it.

Each test runs the production shape (tests/faults/production.py): signed orders through the
real intake, a forking worker and the scheduler as processes of their own, all on a Redis the
test started on a spare port. Then the fault, then nothing but waiting: every event is
processed, every member holds what the earning rule says (read through the admin's API), the
ledger reconciles, and neither process was restarted.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select, text

from jobs.scheduler import scheduler_state
from loyalty.core.models import EventStatus, WebhookEvent
from tests.faults.production import assert_recovered, production_run
from tests.support.orders import OrderBurst
from tests.support.private_servers import needs_redis_server
from tests.support.workers import CONCURRENT_POSTGRES, wait_for

pytestmark = [pytest.mark.slow, needs_redis_server(), *CONCURRENT_POSTGRES]

OUTAGE_SECONDS = 60


@pytest.fixture
def production(config, private_redis, shop, tmp_path):
    with production_run(config, private_redis.url, tmp_path) as run:
        yield run


class LedgerRefusal:
    """The database refuses new ledger entries (a trigger that raises) until :meth:`end`: every
    order fails in its handler, the event is marked failed, and RQ schedules its retry."""

    def __init__(self, engine) -> None:
        self.engine = engine

    def begin(self) -> LedgerRefusal:
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE FUNCTION klubb_test_refuse() RETURNS trigger LANGUAGE plpgsql AS"
                    " $$ BEGIN RAISE EXCEPTION 'the ledger refuses writes'; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER klubb_test_refuse BEFORE INSERT ON ledger_entries"
                    " FOR EACH ROW EXECUTE FUNCTION klubb_test_refuse()"
                )
            )
        return self

    def end(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER IF EXISTS klubb_test_refuse ON ledger_entries"))
            conn.execute(text("DROP FUNCTION IF EXISTS klubb_test_refuse()"))


def failed_awaiting_retry(rt) -> int:
    with rt.sessions() as s:
        return s.scalar(
            select(func.count())
            .select_from(WebhookEvent)
            .where(WebhookEvent.status == EventStatus.FAILED, WebhookEvent.retry_at.is_not(None))
        )


def test_redis_stopped_mid_burst(production, private_redis, post_webhook, client, rt):
    """Killed (its data gone) with jobs queued and running; orders keep coming meanwhile."""
    burst = OrderBurst(post_webhook)
    assert set(burst.send(30)) == {200}
    private_redis.stop(fast=True)
    assert set(burst.send(15)) == {200}  # recorded; queued later by the outbox sweeper
    private_redis.start()
    assert set(burst.send(15)) == {200}

    assert_recovered(production, burst, client, rt)


def test_redis_flushed_mid_retry(production, private_redis, post_webhook, client, rt):
    """Every order failed and waits for RQ's retry when Redis loses every key: the retries
    are gone from Redis, and the events' rows still know when each is due."""
    refusal = LedgerRefusal(rt.engine).begin()
    try:
        burst = OrderBurst(post_webhook)
        assert set(burst.send(20)) == {200}
        wait_for(
            "every order to fail and wait for its retry",
            lambda: failed_awaiting_retry(rt) == 20,
            production.log,
            every=0.5,
        )
        private_redis.flush()
    finally:
        refusal.end()
    assert rt.queue("webhooks").scheduled_job_registry.get_job_ids() == []

    assert_recovered(production, burst, client, rt)


def test_redis_gone_for_a_minute(production, private_redis, post_webhook, client, rt):
    """Away a full minute (its data kept, as with persistence), orders arriving throughout: the
    scheduler waits it out, the worker too, and the sweepers queue what arrived meanwhile."""
    burst = OrderBurst(post_webhook)
    assert set(burst.send(20)) == {200}
    private_redis.stop(keep_data=True)
    gone = time.monotonic()
    assert set(burst.send(10)) == {200}
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - gone)))
    assert production.alive()
    private_redis.start()

    assert_recovered(production, burst, client, rt)
    wait_for("the scheduler's heartbeat", lambda: scheduler_state(rt.redis) == "ok")
