"""A signed-in shopper joins in the widget: a member with the signup bonus, once."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from loyalty.core.models import Member, Tombstone, TombstoneReason
from loyalty.members.enrolment import customer_hash
from loyalty.privacy.compliance import customer_hash_key
from tests.support.rewards import OTHER_CUSTOMER, entries, set_settings


def join(proxy, customer_id=OTHER_CUSTOMER, key=None, **kwargs):
    kwargs.setdefault("json", {})
    return proxy(
        "POST",
        "/proxy/api/join",
        customer_id=customer_id,
        headers={"Idempotency-Key": key or str(uuid.uuid4())},
        **kwargs,
    )


def member_of(rt, shop_id, customer_id):
    with rt.sessions() as s:
        return s.scalar(
            select(Member).where(Member.shop_id == shop_id, Member.customer_id == customer_id)
        )


def test_joining_with_auto_enrolment_off_creates_the_member_with_the_bonus(rt, proxy, shop_id):
    set_settings(rt, shop_id, auto_enrol=False, signup_bonus=100)
    before = proxy("GET", "/proxy/api/member", customer_id=OTHER_CUSTOMER).get_json()
    assert before["member"] is False

    response = join(proxy)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_json()
    assert (body["signed_in"], body["member"], body["points_balance"]) == (True, True, 100)
    assert "rewards" in body and "program" in body


@pytest.mark.embedded
def test_joining_twice_gives_the_bonus_once(rt, proxy, shop_id):
    assert join(proxy, key="a").status_code == 200
    assert join(proxy, key="b").get_json()["points_balance"] == 100
    member = member_of(rt, shop_id, OTHER_CUSTOMER)
    assert entries(rt, member.id) == [("bonus", 100)]


def test_a_shopper_who_left_can_join_again(rt, proxy, shop_id, config):
    key = customer_hash_key(config)
    with rt.sessions.begin() as s:
        s.add(
            Tombstone(
                shop_id=shop_id,
                customer_hash=customer_hash(key, shop_id, OTHER_CUSTOMER),
                reason=TombstoneReason.LEFT,
            )
        )

    assert join(proxy).get_json()["member"] is True
    with rt.sessions() as s:
        assert s.scalars(select(Tombstone)).all() == []


def test_a_join_replayed_with_its_key_returns_the_same_body(rt, proxy, shop_id):
    first = join(proxy, key="same")
    again = join(proxy, key="same")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_data() == first.get_data()


def test_joining_needs_a_json_body_and_a_signed_in_shopper(proxy, shop_id):
    assert join(proxy, json=None, data={"x": "1"}).status_code == 415
    assert join(proxy, customer_id=None).status_code == 401
    refused = join(proxy, json={"customer_id": "7"})
    assert refused.status_code == 403
