"""Leaving the club: confirmed, points forfeited, anonymised as customers/redact does, tombstoned.

The departed member's history stays for the shop's books (amounts and dates), detached from
the customer id; a ``left`` tombstone keeps automatic enrolment away until they join again.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from loyalty.core.models import (
    LedgerEntry,
    LedgerKind,
    Member,
    MemberStatus,
    OrderRecord,
    PrivacyRequestKind,
    Tombstone,
    TombstoneReason,
    WebhookEvent,
)
from loyalty.members.enrolment import customer_hash, join
from loyalty.points import reasons
from loyalty.points.ledger import reconcile
from loyalty.points.orders import apply_order
from tests.support.jobs import drain
from tests.support.members import CID, audit_actions, member_of
from tests.support.people import (
    INGEBORG,
    SOLVEIG,
    customer_payload,
    data_request_payload,
    order_payload,
    seed_customer,
)
from tests.support.tables import cells_containing, privacy_requests
from webhooks.handlers import HANDLERS

LEAVE = {"confirm": "LEAVE"}


def members_of(rt, customer_id):
    with rt.sessions() as s:
        return list(s.scalars(select(Member).where(Member.customer_id == customer_id)))


@pytest.mark.parametrize("body", [{}, {"confirm": "yes"}, {"confirm": "leave"}, {"confirm": True}])
def test_leaving_needs_the_confirmation(me, rt, ingeborg, body):
    response = me("DELETE", json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "confirmation_required" and "confirm" in error["fields"]
    member = member_of(rt, ingeborg.member_id)
    assert (member.status, member.customer_id, member.points_balance) == ("active", CID, 270)


@pytest.mark.embedded
def test_leaving_forfeits_the_points_and_anonymises_the_membership(me, rt, ingeborg):
    response = me("DELETE", json=LEAVE)
    assert response.status_code == 200
    assert response.get_json() == {"status": "left", "points_forfeited": 270}

    member = member_of(rt, ingeborg.member_id)
    assert member.status == MemberStatus.ANONYMISED
    assert member.customer_id == -member.id  # detached: the history names nobody
    assert (member.first_name, member.email, member.phone, member.birthday) == (None,) * 4
    assert (member.preferred_name, member.language, member.notes) == (None,) * 3
    assert (member.email_consent, member.sms_consent) == (False, False)
    assert member.points_balance == 0
    with rt.sessions() as s:
        forfeit = s.scalars(
            select(LedgerEntry).where(LedgerEntry.source_key == f"forfeit:{member.id}")
        ).one()
        history = s.execute(
            select(LedgerEntry.kind, LedgerEntry.reason_code, LedgerEntry.reason)
            .where(LedgerEntry.member_id == member.id)
            .order_by(LedgerEntry.id)
        ).all()
        orders = list(s.scalars(select(OrderRecord).where(OrderRecord.member_id == member.id)))
    assert (forfeit.points, forfeit.kind) == (-270, LedgerKind.EXPIRE)
    # The staff's words about her are gone; every entry keeps its code, Klubb's words stay.
    assert history == [
        ("bonus", "signup_bonus", "signup bonus"),
        ("earn", "order", f"order {INGEBORG.order_ids[0]}"),
        ("adjust", "staff_adjustment", None),
        ("expire", "left_club", "forfeited: left the club"),
    ]
    assert reconcile(rt.sessions) == []
    assert orders and all(o.customer_id is None for o in orders)
    assert me("GET").status_code == 404  # no longer a member


def test_leaving_leaves_a_left_tombstone_a_request_and_an_audit_entry(me, rt, ingeborg, hash_key):
    me("DELETE", json=LEAVE)
    with rt.sessions() as s:
        stone = s.scalars(select(Tombstone)).one()
    assert stone.reason == TombstoneReason.LEFT
    assert stone.customer_hash == customer_hash(hash_key, ingeborg.shop_id, CID)
    [request] = privacy_requests(rt.sessions, PrivacyRequestKind.MEMBER_LEAVE)
    assert request.completed_at is not None and request.member_id == ingeborg.member_id
    assert json.loads(request.export_json) == {
        "format": "klubb.member-leave/1",
        "discount_ids": [f"gid://shopify/DiscountCodeNode/{CID}1"],  # the unused code only
    }
    actions = audit_actions(rt, ingeborg.member_id)
    assert actions[-1] == ("member.left", "member", "points_forfeited=270")
    assert all(detail is None for action, _, detail in actions[:-1])


def test_after_leaving_no_table_holds_their_personal_data(
    app, me, rt, ingeborg, post_webhook, caplog
):
    """The same generic scan as customers/redact's: every text column of every table."""
    seed_customer(rt.sessions, ingeborg.shop_id, SOLVEIG)
    post_webhook("customers/update", customer_payload(INGEBORG))
    post_webhook("orders/paid", order_payload(INGEBORG, INGEBORG.order_ids[1]))
    post_webhook("customers/data_request", data_request_payload(INGEBORG))
    drain(app, raise_failures=False)
    me("GET", "/export.json")
    assert cells_containing(rt.sessions, INGEBORG.personal_data)

    me("DELETE", json=LEAVE)

    assert cells_containing(rt.sessions, INGEBORG.personal_data) == []
    assert set(cells_containing(rt.sessions, SOLVEIG.personal_data)) >= {
        "members.email",
        "members.phone",
    }
    with rt.sessions() as s:
        erased = s.scalar(select(func.count()).where(WebhookEvent.body.is_(None)))
    assert erased >= 3


def test_leaving_twice_finds_no_membership_the_second_time(me, rt, ingeborg):
    assert me("DELETE", json=LEAVE).status_code == 200
    again = me("DELETE", json=LEAVE)
    assert again.status_code == 404
    assert len(privacy_requests(rt.sessions, PrivacyRequestKind.MEMBER_LEAVE)) == 1


def test_a_restricted_member_can_leave(me, rt, ingeborg):
    me("POST", "/restriction", json={})
    assert me("DELETE", json=LEAVE).get_json()["points_forfeited"] == 270


def test_a_negative_balance_is_not_forfeited_upwards(me, rt, ingeborg):
    with rt.sessions.begin() as s:
        s.add(
            LedgerEntry(
                shop_id=ingeborg.shop_id,
                member_id=ingeborg.member_id,
                points=-300,
                kind="refund",
                source_key="refund:test",
                **reasons.columns(reasons.order(7700001)),
            )
        )
        s.get(Member, ingeborg.member_id).points_balance = -30
    assert me("DELETE", json=LEAVE).get_json()["points_forfeited"] == 0
    assert member_of(rt, ingeborg.member_id).points_balance == -30


def test_a_later_order_or_customer_update_does_not_enrol_them_again(
    app, me, rt, ingeborg, hash_key, post_webhook
):
    me("DELETE", json=LEAVE)
    payload = order_payload(INGEBORG, 7700003)
    if "orders/paid" in HANDLERS:
        post_webhook("orders/paid", payload)
        post_webhook("customers/update", customer_payload(INGEBORG))
        drain(app)
    else:  # the engine's webhook handlers are not wired yet: drive the engine directly
        apply_order(rt.sessions, ingeborg.shop_id, payload, hash_key=hash_key)
    assert [m.customer_id for m in members_of(rt, CID)] == []
    with rt.sessions() as s:
        order = s.scalars(select(OrderRecord).where(OrderRecord.order_id == 7700003)).one()
        assert s.scalars(select(Tombstone.reason)).one() == TombstoneReason.LEFT
    assert (order.member_id, order.points_owed) == (None, 0)


def test_joining_again_lifts_the_tombstone_and_starts_afresh(me, rt, ingeborg, hash_key):
    """``members.join`` is what ``POST /proxy/api/join`` runs: a new, empty membership."""
    me("DELETE", json=LEAVE)
    fresh = join(rt.sessions, ingeborg.shop_id, CID, hash_key=hash_key)
    assert fresh.id != ingeborg.member_id
    assert (fresh.status, fresh.points_balance) == (MemberStatus.ACTIVE, 0)  # bonus only once
    with rt.sessions() as s:
        assert s.scalars(select(Tombstone)).all() == []
    order = apply_order(
        rt.sessions, ingeborg.shop_id, order_payload(INGEBORG, 7700004), hash_key=hash_key
    )
    assert order.member_id == fresh.id and order.points_owed == 1000
    assert me("GET").get_json()["points_balance"] == 1000


def test_one_who_left_is_not_promised_the_signup_bonus_again(proxy, rt, shop_id):
    """The bonus is given once per customer (``signup:{customer}``): the widget's answer says
    so for a returning customer, and joining again indeed gives none."""
    newcomer = 991_000_001

    def summary(customer_id):
        return proxy("GET", "/proxy/api/member", customer_id=customer_id).get_json()

    assert summary(None)["signup_bonus_received"] is False  # a guest
    before = summary(newcomer)
    assert (before["member"], before["signup_bonus_received"]) == (False, False)
    assert before["program"]["signup_bonus"] == 100
    joined = proxy(
        "POST", "/proxy/api/join", customer_id=newcomer, json={}, headers={"Idempotency-Key": "j1"}
    )
    assert joined.status_code == 200, joined.get_json()
    assert summary(newcomer)["points_balance"] == 100
    left = proxy(
        "DELETE",
        "/proxy/api/me",
        customer_id=newcomer,
        json=LEAVE,
        headers={"Idempotency-Key": "l1"},
    )
    assert left.status_code == 200

    after = summary(newcomer)
    assert (after["member"], after["signup_bonus_received"]) == (False, True)
    again = proxy(
        "POST", "/proxy/api/join", customer_id=newcomer, json={}, headers={"Idempotency-Key": "j2"}
    )
    assert again.status_code == 200
    assert summary(newcomer)["points_balance"] == 0
