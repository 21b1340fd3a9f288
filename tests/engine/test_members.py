"""Enrolment, the signup bonus once, Shopify's customer copies, tombstones and deletion."""

from __future__ import annotations

import itertools

import pytest

from loyalty.core.models import MemberStatus, Tombstone, TombstoneReason
from loyalty.members.enrolment import customer_hash
from tests.support.bodies import Line, at, customer_body, order_body
from tests.support.points import HASH_KEY

pytestmark = pytest.mark.embedded

PATHS = {
    "customers/create": lambda k: k.customer(customer_body(7001)),
    "first order": lambda k: k.order(order_body(1, [Line(11, "10.00")], customer_id=7001)),
    "widget join": lambda k: k.join(7001),
}


@pytest.mark.parametrize("paths", list(itertools.permutations(PATHS)), ids=" then ".join)
def test_the_signup_bonus_is_awarded_once_whichever_path_comes_first(klubb, paths):
    for path in paths:
        PATHS[path](klubb)
        PATHS[path](klubb)
    assert [e for e in klubb.entries(7001) if e[0] == "bonus"] == [("bonus", 100)]
    assert klubb.balance(7001) == 110


def test_a_shop_that_does_not_auto_enrol_waits_for_the_shopper_to_join(new_klubb):
    klubb = new_klubb(auto_enrol=False)
    assert klubb.customer(customer_body(7001)) is None
    klubb.order(order_body(1, [Line(11, "50.00")], customer_id=7001))
    assert klubb.member(7001) is None
    assert klubb.record(1).customer_id == 7001
    assert klubb.record(1).points_owed == 0
    klubb.join(7001)
    klubb.order(order_body(2, [Line(21, "30.00")], customer_id=7001))
    assert klubb.entries(7001) == [("bonus", 100), ("earn", 30)]


def test_no_bonus_entry_when_the_bonus_is_zero(new_klubb):
    klubb = new_klubb(signup_bonus=0)
    klubb.customer(customer_body(7001))
    assert klubb.member(7001) is not None
    assert klubb.entries() == []


def test_customer_payloads_copy_names_email_and_phone(klubb):
    klubb.customer(customer_body(7001, email="bob@example.com", phone="+4790000000"))
    member = klubb.member(7001)
    assert (member.first_name, member.last_name) == ("Bob", "Biller")
    assert (member.email, member.phone) == ("bob@example.com", "+4790000000")


def test_stale_customer_updates_are_ignored(klubb):
    klubb.customer(customer_body(7001, updated_at=at(10), first_name="New"))
    klubb.customer(customer_body(7001, updated_at=at(5), first_name="Old"))
    assert klubb.member(7001).first_name == "New"
    klubb.customer(customer_body(7001, updated_at=at(10), first_name="Same time"))
    assert klubb.member(7001).first_name == "Same time"
    klubb.customer(customer_body(7001, updated_at=None, first_name="Undated"))
    assert klubb.member(7001).first_name == "Same time"


def test_triggered_at_orders_bodies_without_updated_at(klubb):
    from tests.support.bodies import T0

    klubb.customer(customer_body(7001, updated_at=None, first_name="A"), triggered_at=T0)
    klubb.customer(customer_body(7001, updated_at=at(-1), first_name="B"))
    assert klubb.member(7001).first_name == "A"


def test_fields_are_cut_to_their_columns_and_nulls_clear_them(klubb):
    klubb.customer(customer_body(7001, updated_at=at(1), first_name="x" * 300, email="a@b.c"))
    assert klubb.member(7001).first_name == "x" * 255
    klubb.customer(customer_body(7001, updated_at=at(2), email=None))
    assert klubb.member(7001).email is None


def test_a_deleted_customer_is_anonymised_and_keeps_the_ledger(klubb):
    klubb.customer(customer_body(7001, email="bob@example.com"))
    klubb.order(order_body(1, [Line(11, "20.00")], customer_id=7001))
    klubb.delete_customer({"id": 7001})
    member = klubb.member(7001)
    assert member.status == MemberStatus.ANONYMISED
    assert (member.first_name, member.last_name, member.email, member.phone) == (None,) * 4
    assert member.points_balance == 120
    assert klubb.entries(7001) == [("bonus", 100), ("earn", 20)]
    klubb.customer(customer_body(7001, updated_at=at(60), email="late@example.com"))
    assert klubb.member(7001).email is None


def test_a_tombstoned_customer_is_not_recreated_by_late_webhooks(klubb):
    klubb.delete_customer({"id": 7001})  # before we ever saw them
    assert klubb.customer(customer_body(7001)) is None
    klubb.order(order_body(1, [Line(11, "20.00")], customer_id=7001))
    assert klubb.member(7001) is None
    assert klubb.entries() == []
    record = klubb.record(1)
    assert (record.customer_id, record.member_id, record.points_owed) == (None, None, 0)


def test_someone_who_left_is_not_auto_enrolled_until_they_join_again(klubb):
    with klubb.sessions.begin() as s:
        s.add(
            Tombstone(
                shop_id=klubb.shop_id,
                customer_hash=customer_hash(HASH_KEY, klubb.shop_id, 7001),
                reason=TombstoneReason.LEFT,
            )
        )
    klubb.order(order_body(1, [Line(11, "20.00")], customer_id=7001))
    assert klubb.member(7001) is None
    assert klubb.record(1).customer_id == 7001  # left, not redacted: the order stays theirs
    klubb.join(7001)
    klubb.order(order_body(2, [Line(21, "5.00")], customer_id=7001))
    assert klubb.entries(7001) == [("bonus", 100), ("earn", 5)]


def test_the_tombstone_hash_is_keyed_and_scoped_by_shop():
    digest = customer_hash(HASH_KEY, 1, 7001)
    assert len(digest) == 64 and "7001" not in digest
    assert digest == customer_hash(HASH_KEY.decode(), 1, 7001)
    assert digest != customer_hash(HASH_KEY, 2, 7001)
    assert digest != customer_hash(b"another key", 1, 7001)


def test_tombstones_written_before_a_key_rotation_still_count(klubb):
    from loyalty.members.enrolment import get_or_enrol, join

    old_key, new_key = b"old key", b"new key"
    with klubb.sessions.begin() as s:
        s.add(
            Tombstone(
                shop_id=klubb.shop_id,
                customer_hash=customer_hash(old_key, klubb.shop_id, 7001),
                reason=TombstoneReason.LEFT,
            )
        )
    with klubb.sessions.begin() as s:
        assert get_or_enrol(s, klubb.shop_id, 7001, hash_key=[new_key, old_key]) is None
    join(klubb.sessions, klubb.shop_id, 7001, hash_key=(new_key, old_key))
    assert klubb.balance(7001) == 100
