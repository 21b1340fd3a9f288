"""Correct what Klubb holds, give and withdraw consent, restrict processing: each read back."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from loyalty.core.models import ConsentEvent, MemberStatus
from loyalty.points.orders import apply_order
from tests.support.members import CID, audit_actions, member_of
from tests.support.people import INGEBORG, order_payload


def queued(rt, func_name):
    """Arguments of the jobs of that function waiting on the ``shopify`` queue."""
    return [job.args for job in rt.queue("shopify").get_jobs() if job.func_name == func_name]


@pytest.mark.embedded
def test_a_member_corrects_birthday_preferred_name_and_language(me, rt, ingeborg):
    response = me(
        "PATCH", json={"birthday": "1990-02-28", "preferred_name": "  Inge  ", "language": "en"}
    )
    assert response.status_code == 200
    assert response.get_json() == {"updated": ["birthday", "preferred_name", "language"]}
    member = member_of(rt, ingeborg.member_id)
    assert (member.birthday, member.preferred_name, member.language) == (
        date(1990, 2, 28),
        "Inge",
        "en",
    )
    assert me("GET").get_json()["profile"]["preferred_name"] == "Inge"
    assert audit_actions(rt, ingeborg.member_id)[-1] == (
        "member.profile_updated",
        "member",
        "birthday,preferred_name,language",
    )
    assert queued(rt, "jobs.shopify_sync.sync_member_fields") == [(ingeborg.shop_id, CID)]


def test_null_clears_a_field_and_an_unchanged_value_changes_nothing(me, rt, ingeborg):
    assert me("PATCH", json={"preferred_name": None}).get_json() == {"updated": ["preferred_name"]}
    assert member_of(rt, ingeborg.member_id).preferred_name is None
    before = len(audit_actions(rt, ingeborg.member_id))
    assert me("PATCH", json={"language": "nb"}).get_json() == {"updated": []}
    assert len(audit_actions(rt, ingeborg.member_id)) == before


def test_shopify_owned_fields_are_refused_with_where_to_edit_them(me, rt, ingeborg):
    response = me("PATCH", json={"email": "new@example.no", "preferred_name": "Inge"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "edit_in_shopify_account"
    assert "Shopify customer account" in error["message"]
    assert set(error["fields"]) == {"email"}
    for name in ("phone", "first_name", "last_name"):
        assert me("PATCH", json={name: "x"}).status_code == 422
    assert member_of(rt, ingeborg.member_id).preferred_name == INGEBORG.preferred_name


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"birthday": "17.05.1988"}, "birthday"),
        ({"birthday": "1988-02-30"}, "birthday"),
        ({"birthday": "1899-12-31"}, "birthday"),
        ({"birthday": "2999-01-01"}, "birthday"),
        ({"birthday": 19880517}, "birthday"),
        ({"preferred_name": "x" * 61}, "preferred_name"),
        ({"preferred_name": "Inge\u0000"}, "preferred_name"),
        ({"preferred_name": "Inge\nborg"}, "preferred_name"),
        ({"preferred_name": "\u202egrobegnI"}, "preferred_name"),
        ({"preferred_name": 42}, "preferred_name"),
        ({"language": "sv"}, "language"),
        ({"points_balance": 10_000}, "points_balance"),
        ({}, "body"),
    ],
)
def test_invalid_changes_are_422_naming_the_field_and_change_nothing(me, rt, ingeborg, body, field):
    response = me("PATCH", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    member = member_of(rt, ingeborg.member_id)
    assert (member.preferred_name, member.points_balance) == (INGEBORG.preferred_name, 270)


def test_a_name_of_60_characters_with_markup_is_kept_as_text(me, rt, ingeborg):
    """Stored verbatim and answered as JSON; whoever renders it escapes it."""
    name = "<b>Ingé</b> 🎉 " + "ø" * 46
    assert len(name) == 60
    assert me("PATCH", json={"preferred_name": name}).status_code == 200
    response = me("GET")
    assert response.mimetype == "application/json"
    assert response.get_json()["profile"]["preferred_name"] == name


def test_consent_changes_are_kept_with_time_and_source_and_queued_for_shopify(me, rt, ingeborg):
    response = me("PUT", "/consents", json={"email": False, "sms": True})
    assert response.status_code == 200
    assert response.get_json() == {"consents": {"email": False, "sms": True}, "changed": ["email"]}
    member = member_of(rt, ingeborg.member_id)
    assert (member.email_consent, member.sms_consent) == (False, True)
    with rt.sessions() as s:
        events = list(
            s.scalars(
                select(ConsentEvent)
                .where(ConsentEvent.member_id == ingeborg.member_id)
                .order_by(ConsentEvent.id)
            )
        )
    latest = events[-1]
    assert (latest.channel, latest.granted, latest.source) == ("email", False, "widget")
    assert latest.created_at is not None
    assert audit_actions(rt, ingeborg.member_id)[-1] == (
        "member.consent_changed",
        "member",
        "email=withdrawn",
    )
    assert queued(rt, "jobs.shopify_sync.push_consent") == [(latest.id,)]
    history = me("GET").get_json()["consent_history"]
    assert [(h["channel"], h["granted"]) for h in history][-1] == ("email", False)


@pytest.mark.parametrize(
    "body", [{"email": "yes"}, {"sms": 1}, {"push": True}, {}, {"email": None}]
)
def test_invalid_consent_bodies_are_422(me, rt, ingeborg, body):
    assert me("PUT", "/consents", json=body).status_code == 422
    assert (member_of(rt, ingeborg.member_id).email_consent) is True


def test_sms_consent_needs_a_phone_number_and_changes_nothing_without_one(me, rt, ingeborg):
    """Shopify refuses SMS consent for a customer without a phone, so Klubb refuses it first."""
    from sqlalchemy import update

    from loyalty.core.models import Member

    with rt.sessions.begin() as s:
        s.execute(
            update(Member)
            .where(Member.id == ingeborg.member_id)
            .values(phone=None, sms_consent=False)
        )
    with rt.sessions() as s:
        before = len(s.scalars(select(ConsentEvent)).all())
    response = me("PUT", "/consents", json={"email": False, "sms": True})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "sms": "Add a mobile number to your customer account first."
    }
    member = member_of(rt, ingeborg.member_id)
    assert (member.email_consent, member.sms_consent) == (True, False)  # nothing changed
    with rt.sessions() as s:
        assert len(s.scalars(select(ConsentEvent)).all()) == before
    assert queued(rt, "jobs.shopify_sync.push_consent") == []
    # Withdrawing stays possible whatever the phone.
    assert me("PUT", "/consents", json={"sms": False}).status_code == 200


def test_restriction_stops_earning_keeps_the_data_and_can_be_lifted(me, rt, ingeborg, hash_key):
    response = me("POST", "/restriction", json={})
    assert response.status_code == 200 and response.get_json() == {"status": "restricted"}
    member = member_of(rt, ingeborg.member_id)
    assert member.status == MemberStatus.RESTRICTED
    assert (member.email, member.birthday, member.points_balance) == (
        INGEBORG.email,
        date(1988, 5, 17),
        270,
    )
    assert me("GET").get_json()["status"] == "restricted"
    # The member tag's push to Shopify (tag-based marketing segments) is queued by the call.
    assert queued(rt, "jobs.shopify_sync.sync_member_fields") == [(ingeborg.shop_id, CID)]

    order = apply_order(
        rt.sessions, ingeborg.shop_id, order_payload(INGEBORG, 7700001), hash_key=hash_key
    )
    assert order.points_owed == 0
    assert member_of(rt, ingeborg.member_id).points_balance == 270

    assert me("POST", "/restriction", json={}).get_json() == {"status": "restricted"}
    assert len(queued(rt, "jobs.shopify_sync.sync_member_fields")) == 1  # unchanged: no push
    response = me("DELETE", "/restriction", json={})
    assert response.get_json() == {"status": "active"}
    assert member_of(rt, ingeborg.member_id).status == MemberStatus.ACTIVE
    order = apply_order(
        rt.sessions, ingeborg.shop_id, order_payload(INGEBORG, 7700002), hash_key=hash_key
    )
    assert order.points_owed == 1000
    actions = [a[0] for a in audit_actions(rt, ingeborg.member_id)]
    assert actions[-2:] == ["member.restricted", "member.restriction_lifted"]
    assert actions.count("member.restricted") == 1  # the repeated POST changed nothing


def test_the_restriction_calls_take_no_fields(me, rt, ingeborg):
    assert me("POST", "/restriction", json={"reason": "because"}).status_code == 422
    assert member_of(rt, ingeborg.member_id).status == MemberStatus.ACTIVE


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", ""),
        ("PUT", "/consents"),
        ("POST", "/restriction"),
        ("DELETE", "/restriction"),
        ("DELETE", ""),
    ],
)
def test_state_changing_calls_need_json_and_an_idempotency_key(me, rt, ingeborg, method, path):
    form = me(method, path, data="email=false", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415
    assert form.get_json()["error"]["code"] == "unsupported_media_type"
    assert me(method, path, data="{", content_type="application/json").status_code == 400
    assert me(method, path, json=["not", "an", "object"]).status_code == 400
    keyless = me(method, path, json={}, key=None)
    assert keyless.status_code == 400
    assert keyless.get_json()["error"]["code"] == "idempotency_key_required"
    assert member_of(rt, ingeborg.member_id).status == MemberStatus.ACTIVE


def test_a_repeated_idempotency_key_replays_the_first_answer(me, rt, ingeborg):
    first = me("PUT", "/consents", json={"sms": False}, key="double-click")
    second = me("PUT", "/consents", json={"sms": False}, key="double-click")
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    with rt.sessions() as s:
        events = s.scalars(
            select(ConsentEvent.id).where(
                ConsentEvent.member_id == ingeborg.member_id, ConsentEvent.granted.is_(False)
            )
        ).all()
    assert len(events) == 1
