"""The scheduled jobs: points expiry (once per inactivity period) and nightly reconciliation."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from loyalty.core.models import DailyRollup, LedgerEntry, Member, ProgramSettings
from loyalty.core.types import utcnow
from loyalty.points import reasons
from loyalty.points.expiry import months_before
from loyalty.points.ledger import post
from tests.support.jobs import drain

GID = "gid://shopify/Customer/{}"


def make_member(rt, shop_id, customer_id, points, *, active_months_ago, kind="adjust"):
    """A member whose last activity (or joining, for a bonus only) was that many months ago."""
    when = months_before(utcnow(), active_months_ago)
    with rt.sessions.begin() as s:
        member = Member(shop_id=shop_id, customer_id=customer_id, joined_at=when)
        s.add(member)
        s.flush()
        if points:
            post(
                s,
                shop_id=shop_id,
                member_id=member.id,
                points=points,
                kind=kind,
                source_key=f"test:{customer_id}",
                reason=reasons.staff_adjustment("test"),
                now=when,
            )
        return member.id


def run_periodic(rt, app, func):
    rt.queue("webhooks").enqueue(func)  # as ``rq cron`` enqueues it
    drain(app)


def expire_entries(rt, member_id):
    with rt.sessions() as s:
        return s.execute(
            select(LedgerEntry.points, LedgerEntry.source_key).where(
                LedgerEntry.member_id == member_id, LedgerEntry.kind == "expire"
            )
        ).all()


def balance(rt, member_id):
    with rt.sessions() as s:
        return s.scalar(select(Member.points_balance).where(Member.id == member_id))


@pytest.mark.embedded
def test_inactive_points_expire_once_however_often_the_job_runs(
    rt, app, shop_id, fake_shop, fake_shopify
):
    for customer in (11, 12, 13, 14):
        fake_shop.add_customer(customer, "A", "B", f"c{customer}@example.com")
    lapsed = make_member(rt, shop_id, 11, 300, active_months_ago=13)
    recent = make_member(rt, shop_id, 12, 200, active_months_ago=2)
    empty = make_member(rt, shop_id, 13, 0, active_months_ago=30)
    bonus_only = make_member(rt, shop_id, 14, 100, active_months_ago=13, kind="bonus")
    for _ in range(2):
        run_periodic(rt, app, "jobs.engine.expire_points")
    assert [p for p, _ in expire_entries(rt, lapsed)] == [-300]
    assert [p for p, _ in expire_entries(rt, bonus_only)] == [-100]
    assert expire_entries(rt, recent) == [] and expire_entries(rt, empty) == []
    assert (balance(rt, lapsed), balance(rt, recent), balance(rt, bonus_only)) == (0, 200, 0)
    with rt.sessions() as s:
        assert s.scalar(select(func.sum(DailyRollup.points_expired))) == 400
    # The balance sync ran for the expired members: Shopify shows 0.
    assert fake_shop.metafield(GID.format(11), "$app:loyalty", "points").value == "0"


def test_new_activity_starts_a_new_period_that_expires_again(rt, app, shop_id, fake_shop):
    lapsed = make_member(rt, shop_id, 21, 300, active_months_ago=15)
    run_periodic(rt, app, "jobs.engine.expire_points")
    with rt.sessions.begin() as s:  # an adjustment 14 months ago: activity, then silence
        post(
            s,
            shop_id=shop_id,
            member_id=lapsed,
            points=50,
            kind="adjust",
            source_key="test:again",
            reason=reasons.staff_adjustment("test"),
            now=months_before(utcnow(), 14),
        )
    run_periodic(rt, app, "jobs.engine.expire_points")
    run_periodic(rt, app, "jobs.engine.expire_points")
    entries = expire_entries(rt, lapsed)
    assert sorted(p for p, _ in entries) == [-300, -50]
    assert len({key for _, key in entries}) == 2 and balance(rt, lapsed) == 0


def test_zero_months_means_points_never_expire(rt, app, shop_id):
    with rt.sessions.begin() as s:
        s.execute(
            update(ProgramSettings)
            .where(ProgramSettings.shop_id == shop_id)
            .values(expiry_months=0)
        )
    member = make_member(rt, shop_id, 31, 300, active_months_ago=60)
    run_periodic(rt, app, "jobs.engine.expire_points")
    assert balance(rt, member) == 300 and expire_entries(rt, member) == []


def test_months_before_clamps_to_the_end_of_shorter_months():
    moment = utcnow().replace(year=2026, month=3, day=31)
    assert months_before(moment, 1).date().isoformat() == "2026-02-28"
    assert months_before(moment, 15).date().isoformat() == "2024-12-31"
    assert months_before(moment, 0) == moment and moment - months_before(moment, 12) > timedelta(
        days=364
    )


@pytest.mark.embedded
def test_reconciliation_finds_planted_drift_and_logs_counts_only(rt, app, shop_id, caplog):
    honest = make_member(rt, shop_id, 41, 120, active_months_ago=1)
    drifted = make_member(rt, shop_id, 42, 80, active_months_ago=1)
    from jobs.engine import reconcile_balances

    assert reconcile_balances() == {"members": 0, "shops": 0}
    with rt.sessions.begin() as s:  # planted: the denormalised balance moved without an entry
        s.execute(
            update(Member)
            .where(Member.id == drifted)
            .values(points_balance=Member.points_balance + 5)
        )
    with caplog.at_level(logging.INFO, logger="jobs.engine"):
        run_periodic(rt, app, "jobs.engine.reconcile_balances")
        assert reconcile_balances() == {"members": 1, "shops": 1}
    drift_lines = [r.getMessage() for r in caplog.records if "drifted" in r.getMessage()]
    assert drift_lines and "1 members in 1 shops" in drift_lines[0]
    assert balance(rt, honest) == 120
