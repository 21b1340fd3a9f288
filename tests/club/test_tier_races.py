"""A tier change racing a refund, in two real worker processes: the outcome is the facts'.

A member in Gold (an order of 2,500 points, and the Gold bonus) has that order refunded in
full while, at the same moment, either a later order of theirs or the merchant's ladder change
(its recompute job) moves their tier too. The overlap is made certain as in
tests/worker/test_worker_race.py: the test holds the member's row lock while both jobs start,
so both wait on it (each having read what it read), then lets go. Whatever order the two then
take, the member ends where their final facts put them: Bronze, the Gold bonus taken back, the
later order earning in Bronze, the balance equal to the ledger.
"""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import select

from jobs.queueing import enqueue
from loyalty.club.tier_catalogue import create_tier, update_tier
from loyalty.core.models import EventStatus, Member, MemberTier, WebhookEvent
from loyalty.points.ledger import reconcile
from tests.club.conftest import BRONZE_SILVER_GOLD, CREATED
from tests.support.bodies import Line, at, customer_body, order_body, refund_body
from tests.support.jobs import drain
from tests.support.workers import (
    CONCURRENT_POSTGRES,
    backends_waiting_for_a_lock,
    member_api,
    running_worker,
    wait_for,
    worker_env,
)

pytestmark = CONCURRENT_POSTGRES

CUSTOMER = 7501


@pytest.fixture
def config(config):
    """A job per event, so each worker takes one."""
    return config.with_overrides(webhook_batch_size=1)


def placed(order_id, amount, minute):
    body = order_body(order_id, [Line(order_id * 10, amount)], customer_id=CUSTOMER)
    body["created_at"] = body["processed_at"] = at(minute)
    return body


def settled(rt) -> bool:
    with rt.sessions() as s:
        events = set(s.scalars(select(WebhookEvent.status)))
    queue = rt.queue("webhooks")
    return (
        events == {EventStatus.PROCESSED}
        and not queue.count
        and not queue.started_job_registry.count
    )


@pytest.mark.parametrize("racer", ["a later order", "the merchant's ladder change"])
def test_a_tier_change_racing_a_refund_ends_where_the_facts_say(
    app, rt, config, shop, client, post_webhook, tmp_path, racer
):
    tiers = [
        create_tier(rt.sessions, shop.id, {"basis": "points", **tier}, now=CREATED)["id"]
        for tier in BRONZE_SILVER_GOLD
    ]
    post_webhook("customers/create", customer_body(CUSTOMER))
    post_webhook("orders/paid", placed(8001, "2500.00", 0))
    drain(app)
    before = member_api(client, CUSTOMER)
    assert before["tier"]["name"] == "Gold" and before["points_balance"] == 100 + 2500 + 200

    env = worker_env(config, rt.redis_url)
    log = tmp_path / "workers.log"
    with rt.engine.connect() as holder:
        holder.begin()
        holder.execute(select(Member).where(Member.customer_id == CUSTOMER).with_for_update())
        refund = refund_body(9001, 8001, [(Line(80010, "2500.00"), 1)])
        assert post_webhook("refunds/create", refund).status_code == 200
        if racer == "a later order":
            assert post_webhook("orders/paid", placed(8002, "500.00", 60)).status_code == 200
        else:  # Gold now from 2,000: the recompute job reads the member as the refund does
            update_tier(rt.sessions, shop.id, int(tiers[2]), {"threshold": 2000})
            enqueue(rt, "webhooks", "jobs.tiers.recompute_shop", shop.id)
        with running_worker(env, log) as first, running_worker(env, log) as second:
            wait_for(
                "both jobs to be in flight, waiting on the member's lock",
                lambda: backends_waiting_for_a_lock(rt.engine) >= 2,
                log,
            )
            holder.rollback()
            wait_for("both jobs to finish", lambda: settled(rt), log)
            for worker in (first, second):
                os.killpg(worker.pid, signal.SIGTERM)
                assert worker.wait(60) == 0, log.read_text()[-3000:]
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]

    member = member_api(client, CUSTOMER)
    later = 500 if racer == "a later order" else 0  # placed in Bronze: no multiplier
    assert member["tier"]["name"] == "Bronze"
    assert member["points_balance"] == 100 + later
    bonuses = [
        (e["reason_code"], e["points"]) for e in member["ledger"] if "tier" in e["reason_code"]
    ]
    assert sorted(bonuses) == [("tier_bonus", 200), ("tier_bonus_reversed", -200)]
    assert reconcile(rt.sessions) == []
    with rt.sessions() as s:
        assert len(s.scalars(select(MemberTier)).all()) == 1
