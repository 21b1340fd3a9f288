"""Retention periods are program settings: bounded in the admin API, and each shop's own period
is what the scheduled retention jobs apply to its data (issue 5, part 6)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from loyalty.core.models import (
    AuditLog,
    EventStatus,
    Member,
    MemberStatus,
    PrivacyRequest,
    PrivacyRequestKind,
    WebhookEvent,
)
from loyalty.core.types import months_before, utcnow
from loyalty.privacy import retention_policy
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.people import INGEBORG, SOLVEIG, seed_customer
from tests.support.shops import SHOP_A

NOW = utcnow()
SHORT = {"inactive_member_months": 6, "webhook_body_days": 7, "export_days": 5, "audit_months": 6}
"""Shop A's periods, each shorter than the default that shop B keeps."""


def put_settings(client, shop, body):
    return client.put("/api/settings", json=body, headers=bearer(shop))


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [(name, low, high) for name, (low, high) in retention_policy.BOUNDS.items()],
)
def test_each_period_outside_its_bounds_is_422_with_its_own_message(
    client, shop_a, name, low, high
):
    unit = name.rsplit("_", 1)[-1]
    for bad in (low - 1, high + 1, "", "1.5", True, None):
        response = put_settings(client, SHOP_A, {name: bad})
        assert response.status_code == 422, bad
        fields = response.get_json()["error"]["fields"]
        assert list(fields) == [name]
        if isinstance(bad, int) and not isinstance(bad, bool):
            assert fields[name] == f"Enter {unit} from {low} to {high}."
    for good in (low, high):
        response = put_settings(client, SHOP_A, {name: good})
        assert response.status_code == 200
        assert response.get_json()[name] == good


def test_all_bad_periods_are_reported_at_once_and_nothing_is_saved(client, shop_a):
    body = {
        "inactive_member_months": 5,
        "webhook_body_days": 0,
        "export_days": 91,
        "audit_months": 121,
    }
    response = put_settings(client, SHOP_A, {**body, "signup_bonus": 7})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == set(body)
    saved = client.get("/api/settings", headers=bearer(SHOP_A)).get_json()
    assert saved["signup_bonus"] == 100
    assert {name: saved[name] for name in body} == {
        name: getattr(retention_policy.DEFAULT_POLICY, name) for name in body
    }


def test_the_periods_are_in_the_settings_and_the_openapi_document(client, shop_a):
    saved = client.get("/api/settings", headers=bearer(SHOP_A)).get_json()
    assert {name: saved[name] for name in retention_policy.PERIODS} == {
        "inactive_member_months": 24,
        "webhook_body_days": 30,
        "export_days": 30,
        "audit_months": 24,
    }
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"]["Settings"]
    for name, (low, high) in retention_policy.BOUNDS.items():
        assert (schema["properties"][name]["minimum"], schema["properties"][name]["maximum"]) == (
            low,
            high,
        )


def _seed_old_data(rt, shop_id, person, *, months_idle, days_old):
    """A member idle ``months_idle`` months, and a body, an export, an audit entry of that age."""
    seeded = seed_customer(rt.sessions, shop_id, person)
    then = NOW - timedelta(days=days_old)
    with rt.sessions.begin() as s:
        s.execute(
            update(Member)
            .where(Member.id == seeded.member_id)
            .values(last_activity_at=months_before(NOW, months_idle))
        )
        s.add(
            WebhookEvent(
                event_id=f"old-{shop_id}",
                topic="orders/paid",
                shop_domain=f"shop-{shop_id}",
                shop_id=shop_id,
                body=json.dumps({"email": person.email}).encode(),
                received_at=then,
                status=EventStatus.PROCESSED,
            )
        )
        s.add(
            PrivacyRequest(
                shop_id=shop_id,
                kind=PrivacyRequestKind.DATA_REQUEST,
                received_at=then,
                due_at=then + timedelta(days=30),
                completed_at=then,
                export_json=json.dumps({"member": {"email": person.email}}),
            )
        )
        s.add(
            AuditLog(
                shop_id=shop_id,
                actor_type="system",
                action="old.entry",
                created_at=months_before(NOW, months_idle),
            )
        )
    return seeded.member_id


def _state(rt, shop_id, member_id):
    with rt.sessions() as s:
        return {
            "member": s.get(Member, member_id).status,
            "body": s.scalar(select(WebhookEvent.body).where(WebhookEvent.shop_id == shop_id))
            is not None,
            "export": s.scalar(
                select(PrivacyRequest.export_json).where(PrivacyRequest.shop_id == shop_id)
            )
            is not None,
            "audit": s.scalar(
                select(AuditLog.id).where(
                    AuditLog.shop_id == shop_id, AuditLog.action == "old.entry"
                )
            )
            is not None,
        }


@pytest.mark.embedded
def test_the_scheduled_jobs_apply_each_shops_own_periods(app, client, rt, shop_a, shop_b):
    """Shop A shortened every period; shop B kept the defaults: the same ages, different fates."""
    assert put_settings(client, SHOP_A, SHORT).status_code == 200
    # 12 months idle and 10 days old: past all of A's periods, within all of B's.
    a_member = _seed_old_data(rt, shop_a, INGEBORG, months_idle=12, days_old=10)
    b_member = _seed_old_data(rt, shop_b, SOLVEIG, months_idle=12, days_old=10)

    for job in (
        "anonymise_inactive_members",
        "erase_old_webhook_bodies",
        "delete_old_exports",
        "delete_old_audit_entries",
    ):
        rt.queue("privacy").enqueue(f"jobs.retention.{job}")
    drain(app, ["privacy"])  # the follow-up Shopify job is tested on its own

    assert _state(rt, shop_a, a_member) == {
        "member": MemberStatus.ANONYMISED,
        "body": False,
        "export": False,
        "audit": False,
    }
    assert _state(rt, shop_b, b_member) == {
        "member": MemberStatus.ACTIVE,
        "body": True,
        "export": True,
        "audit": True,
    }
    with rt.sessions() as s:
        detail = s.scalar(
            select(AuditLog.detail).where(AuditLog.action == "retention.member_anonymised")
        )
    assert detail == "inactive_months=6"


def test_a_longer_period_keeps_data_the_default_would_remove(app, client, rt, shop_a, shop_b):
    longer = {"inactive_member_months": 36, "webhook_body_days": 60, "export_days": 60}
    assert put_settings(client, SHOP_A, {**longer, "audit_months": 36}).status_code == 200
    # 30 months idle and 45 days old: past B's default periods, within A's longer ones.
    a_member = _seed_old_data(rt, shop_a, INGEBORG, months_idle=30, days_old=45)
    b_member = _seed_old_data(rt, shop_b, SOLVEIG, months_idle=30, days_old=45)

    for job in ("anonymise_inactive_members", "erase_old_webhook_bodies", "delete_old_exports"):
        rt.queue("privacy").enqueue(f"jobs.retention.{job}")
    rt.queue("privacy").enqueue("jobs.retention.delete_old_audit_entries")
    drain(app, ["privacy"])  # the follow-up Shopify job is tested on its own

    assert set(_state(rt, shop_a, a_member).values()) == {MemberStatus.ACTIVE, True}
    assert _state(rt, shop_b, b_member) == {
        "member": MemberStatus.ANONYMISED,
        "body": False,
        "export": False,
        "audit": False,
    }
