"""Retention: each sweep removes exactly what is past its period, and nothing younger."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from rq.cron import CronScheduler
from sqlalchemy import func, select, update

from loyalty.core.models import (
    AuditLog,
    EventStatus,
    Member,
    MemberStatus,
    PrivacyRequest,
    PrivacyRequestKind,
    Tombstone,
    WebhookEvent,
)
from loyalty.core.types import utcnow
from loyalty.points.ledger import reconcile
from loyalty.privacy import retention, retention_policy
from loyalty.privacy.compliance import customer_hash_keys
from tests.support.jobs import drain
from tests.support.people import INGEBORG, SOLVEIG, Person, seed_customer
from tests.support.shops import SHOP
from tests.support.tables import cells_containing

NOW = utcnow()
POLICY = retention_policy.DEFAULT_POLICY  # the test shop has no settings row
HEDDA = Person(330033, "Hedda", "Gabler", "Heddie", "hedda@example.no", "+4790011223", (510001,))


def set_member(rt, member_id, **values):
    with rt.sessions.begin() as s:
        s.execute(update(Member).where(Member.id == member_id).values(**values))


def member(rt, member_id) -> Member:
    with rt.sessions() as s:
        return s.get(Member, member_id)


def test_members_inactive_past_the_period_are_anonymised_and_no_one_else(rt, config, shop_id):
    cutoff = retention.months_before(NOW, POLICY.inactive_member_months)
    stale = seed_customer(rt.sessions, shop_id, INGEBORG)
    recent = seed_customer(rt.sessions, shop_id, SOLVEIG)
    restricted = seed_customer(rt.sessions, shop_id, HEDDA)
    set_member(rt, stale.member_id, last_activity_at=cutoff - timedelta(days=1))
    set_member(rt, recent.member_id, last_activity_at=cutoff + timedelta(days=1))
    set_member(
        rt,
        restricted.member_id,
        last_activity_at=cutoff - timedelta(days=400),
        status=MemberStatus.RESTRICTED,
    )

    sweep = retention.anonymise_inactive_members(rt.sessions, customer_hash_keys(config), now=NOW)

    assert (sweep.count, sweep.done) == (1, True)
    gone = member(rt, stale.member_id)
    assert gone.status == MemberStatus.ANONYMISED and gone.customer_id == -gone.id
    assert gone.points_balance == 0
    assert cells_containing(rt.sessions, INGEBORG.personal_data) == []
    assert member(rt, recent.member_id).status == MemberStatus.ACTIVE
    assert member(rt, restricted.member_id).status == MemberStatus.RESTRICTED
    assert cells_containing(rt.sessions, (SOLVEIG.email, HEDDA.email))
    assert reconcile(rt.sessions) == []
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Tombstone)) == 0  # may re-enrol
        actions = list(
            s.scalars(select(AuditLog.action).where(AuditLog.member_id == stale.member_id))
        )
    assert actions[-1] == "retention.member_anonymised"
    # A record like a member's leaving: the customer id until Shopify is cleaned, and the
    # unused code (not the used one) for the cleanup job to delete.
    with rt.sessions() as s:
        [request] = s.scalars(select(PrivacyRequest)).all()
    assert sweep.departures == (request.id,)
    assert (request.kind, request.member_id) == (PrivacyRequestKind.MEMBER_INACTIVE, gone.id)
    assert request.completed_at == NOW
    assert request.shopify_cleanup_customer_id == INGEBORG.customer_id
    assert json.loads(request.export_json)["discount_ids"] == [
        f"gid://shopify/DiscountCodeNode/{INGEBORG.customer_id}1"
    ]


def test_a_member_who_never_earned_counts_from_joining(rt, config, shop_id):
    cutoff = retention.months_before(NOW, POLICY.inactive_member_months)
    old = seed_customer(rt.sessions, shop_id, INGEBORG)
    new = seed_customer(rt.sessions, shop_id, SOLVEIG)
    set_member(rt, old.member_id, last_activity_at=None, joined_at=cutoff - timedelta(hours=1))
    set_member(rt, new.member_id, last_activity_at=None, joined_at=cutoff + timedelta(hours=1))
    retention.anonymise_inactive_members(rt.sessions, customer_hash_keys(config), now=NOW)
    assert member(rt, old.member_id).status == MemberStatus.ANONYMISED
    assert member(rt, new.member_id).status == MemberStatus.ACTIVE


def add_event(rt, event_id, received_at, body=b'{"email": "kari@example.no"}'):
    with rt.sessions.begin() as s:
        s.add(
            WebhookEvent(
                event_id=event_id,
                topic="orders/paid",
                shop_domain=SHOP,
                body=body,
                received_at=received_at,
                status=EventStatus.PROCESSED,
            )
        )


def test_raw_webhook_bodies_past_the_period_are_erased_and_the_rows_stay(rt, shop_id):
    cutoff = NOW - timedelta(days=POLICY.webhook_body_days)
    add_event(rt, "old", cutoff - timedelta(seconds=1))
    add_event(rt, "young", cutoff + timedelta(seconds=60))
    sweep = retention.erase_old_webhook_bodies(rt.sessions, now=NOW)
    assert (sweep.count, sweep.done) == (1, True)
    with rt.sessions() as s:
        rows = dict(s.execute(select(WebhookEvent.event_id, WebhookEvent.body)).all())
    assert rows["old"] is None and rows["young"] is not None
    assert retention.erase_old_webhook_bodies(rt.sessions, now=NOW).count == 0


def test_the_sweeps_work_in_batches_and_stop_at_their_time_budget(rt, shop_id, monkeypatch):
    monkeypatch.setattr(retention, "BATCH_SIZE", 2)
    for n in range(5):
        add_event(rt, f"old-{n}", NOW - timedelta(days=90))
    ticks = iter(range(100))
    sweep = retention.erase_old_webhook_bodies(
        rt.sessions, now=NOW, time_budget=1.5, clock=lambda: next(ticks)
    )
    assert (sweep.count, sweep.done) == (2, False)  # one batch, then the budget was spent
    sweep = retention.erase_old_webhook_bodies(rt.sessions, now=NOW)
    assert (sweep.count, sweep.done) == (3, True)


def add_request(rt, shop_id, kind, made_at, export):
    with rt.sessions.begin() as s:
        row = PrivacyRequest(
            shop_id=shop_id,
            kind=kind,
            received_at=made_at,
            due_at=made_at + timedelta(days=30),
            completed_at=made_at,
            export_json=json.dumps(export),
        )
        s.add(row)
        s.flush()
        return row.id


def test_exports_past_the_period_are_deleted_but_pending_code_deletions_stay(rt, shop_id):
    cutoff = NOW - timedelta(days=POLICY.export_days)
    pending = {"format": "klubb.customer-redaction/1", "discount_ids": ["gid://x/1"]}
    old = add_request(
        rt,
        shop_id,
        PrivacyRequestKind.DATA_REQUEST,
        cutoff - timedelta(hours=1),
        {"member": {"email": INGEBORG.email}},
    )
    young = add_request(
        rt, shop_id, PrivacyRequestKind.DATA_REQUEST, cutoff + timedelta(hours=1), {"member": {}}
    )
    redact = add_request(
        rt, shop_id, PrivacyRequestKind.CUSTOMER_REDACT, cutoff - timedelta(days=300), pending
    )
    left = add_request(
        rt, shop_id, PrivacyRequestKind.MEMBER_LEAVE, cutoff - timedelta(days=300), pending
    )

    sweep = retention.delete_old_exports(rt.sessions, now=NOW)

    assert (sweep.count, sweep.done) == (1, True)
    with rt.sessions() as s:
        rows = {r.id: r for r in s.scalars(select(PrivacyRequest))}
    assert rows[old].export_json is None and rows[old].export_deleted_at is not None
    assert rows[young].export_json is not None
    assert json.loads(rows[redact].export_json) == pending
    assert json.loads(rows[left].export_json) == pending


def test_audit_entries_past_the_period_are_deleted(rt, shop_id):
    cutoff = retention.months_before(NOW, POLICY.audit_months)
    with rt.sessions.begin() as s:
        for action, at in (
            ("old", cutoff - timedelta(minutes=1)),
            ("young", cutoff + timedelta(minutes=1)),
        ):
            s.add(AuditLog(shop_id=shop_id, actor_type="system", action=action, created_at=at))
    sweep = retention.delete_old_audit_entries(rt.sessions, now=NOW)
    assert (sweep.count, sweep.done) == (1, True)
    with rt.sessions() as s:
        assert list(s.scalars(select(AuditLog.action))) == ["young"]


def test_the_bounds_hold_the_defaults():
    for name, (low, high) in retention_policy.BOUNDS.items():
        assert low <= getattr(retention_policy.DEFAULT_POLICY, name) <= high


@pytest.mark.parametrize(
    "name",
    [
        "anonymise_inactive_members",
        "erase_old_webhook_bodies",
        "delete_old_exports",
        "delete_old_audit_entries",
    ],
)
def test_each_sweep_is_a_periodic_job_on_the_privacy_queue(app, rt, shop_id, name):
    scheduler = CronScheduler(connection=rt.redis)
    scheduler.load_config_from_file("jobs.schedule")
    jobs = {job.func_name: job for job in scheduler.get_jobs()}
    job = jobs[f"jobs.retention.{name}"]
    assert (job.queue_name, job.interval) == ("privacy", 3600)
    add_event(rt, "old", NOW - timedelta(days=365))
    rt.queue("privacy").enqueue(f"jobs.retention.{name}")
    assert drain(app, ["privacy"]) == 1
