"""The ledger posts each source key once, keeps balances equal to the entries, and finds drift."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from loyalty.core.errors import NotFound
from loyalty.core.models import LedgerKind, Member
from loyalty.points import reasons
from loyalty.points.ledger import Drift, available_balance, balance, post

pytestmark = pytest.mark.embedded


def _post(klubb, member_id, points, kind, key, **kw):
    with klubb.sessions.begin() as s:
        return post(
            s,
            shop_id=klubb.shop_id,
            member_id=member_id,
            points=points,
            kind=kind,
            source_key=key,
            reason=kw.pop("reason", reasons.staff_adjustment("test")),
            **kw,
        )


def test_a_source_key_is_posted_once(klubb):
    member = klubb.join(1)
    assert _post(klubb, member.id, 25, LedgerKind.ADJUST, "adjust:1") is True
    assert _post(klubb, member.id, 25, LedgerKind.ADJUST, "adjust:1") is False
    assert klubb.entries(1) == [("bonus", 100), ("adjust", 25)]
    with klubb.sessions() as s:
        assert balance(s, member.id) == 125


def test_lifetime_points_count_only_what_was_earned(klubb):
    member = klubb.join(1)
    _post(klubb, member.id, 40, LedgerKind.EARN, "e")
    _post(klubb, member.id, -30, LedgerKind.REFUND, "r")
    _post(klubb, member.id, -50, LedgerKind.REDEEM, "x")
    _post(klubb, member.id, 10, LedgerKind.ADJUST, "a")
    after = klubb.member(1)
    assert after.points_balance == 100 + 40 - 30 - 50 + 10
    assert after.lifetime_points == 100 + 40


def test_earning_redeeming_and_adjusting_are_activity_but_refunds_are_not(klubb):
    member = klubb.join(1)
    assert klubb.member(1).last_activity_at is None  # the signup bonus is not activity
    earned = datetime(2026, 1, 5, tzinfo=UTC)
    _post(klubb, member.id, 5, LedgerKind.EARN, "e", now=earned)
    _post(klubb, member.id, -5, LedgerKind.REFUND, "r", now=earned + timedelta(days=3))
    assert klubb.member(1).last_activity_at == earned


def test_posting_to_another_shops_member_is_refused_and_leaves_nothing(klubb, rt, installed_shop):
    stranger = klubb.join(1)
    other_shop = installed_shop().id
    with pytest.raises(NotFound), rt.sessions.begin() as s:
        post(
            s,
            shop_id=other_shop,
            member_id=stranger.id,
            points=10,
            kind=LedgerKind.ADJUST,
            source_key="x",
            reason=reasons.staff_adjustment("test"),
        )
    assert klubb.balance(1) == 100
    assert klubb.entries(1) == [("bonus", 100)]


def test_points_in_their_pending_period_cannot_be_spent_yet(klubb):
    member = klubb.join(1)
    now = datetime(2026, 2, 1, tzinfo=UTC)
    _post(
        klubb, member.id, 50, LedgerKind.EARN, "e", available_at=now + timedelta(days=14), now=now
    )
    with klubb.sessions() as s:
        assert balance(s, member.id) == 150
        assert available_balance(s, member.id, now) == 100
        assert available_balance(s, member.id, now + timedelta(days=14)) == 150


def test_reconcile_finds_planted_drift(klubb, new_klubb):
    healthy = klubb.join(1)
    drifted = klubb.join(2)
    elsewhere = new_klubb()
    other = elsewhere.join(3)
    assert klubb.drift() == []
    with klubb.sessions.begin() as s:
        s.execute(
            update(Member).where(Member.id.in_([drifted.id, other.id])).values(points_balance=7)
        )
    assert klubb.drift() == [Drift(klubb.shop_id, drifted.id, 7, 100)]
    assert elsewhere.drift() == [Drift(elsewhere.shop_id, other.id, 7, 100)]
    assert healthy.id not in {d.member_id for d in klubb.drift()}


def test_reconcile_sees_a_balance_without_any_entries(new_klubb):
    klubb = new_klubb(signup_bonus=0)
    member = klubb.join(1)
    assert klubb.entries() == []
    with klubb.sessions.begin() as s:
        s.execute(update(Member).where(Member.id == member.id).values(points_balance=3))
    assert klubb.drift() == [Drift(klubb.shop_id, member.id, 3, 0)]


def test_daily_counters_follow_postings_on_the_shops_local_day(klubb):
    member = klubb.join(1)
    late_evening = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # already 3 March in Oslo
    _post(klubb, member.id, 40, LedgerKind.EARN, "e", now=late_evening)
    _post(klubb, member.id, -30, LedgerKind.REDEEM, "x", now=late_evening)
    _post(klubb, member.id, 5, LedgerKind.REDEEM_RETURN, "y", now=late_evening)
    _post(klubb, member.id, -8, LedgerKind.EXPIRE, "z", now=late_evening)
    _post(klubb, member.id, -8, LedgerKind.EXPIRE, "z", now=late_evening)  # a replay: no change
    day = klubb.rollups()[date(2026, 3, 3)]
    assert (day.points_issued, day.points_redeemed, day.points_expired) == (40, 25, 8)


def test_a_member_loaded_in_the_session_sees_its_new_balance(klubb):
    member = klubb.join(1)
    with klubb.sessions.begin() as s:
        loaded = s.get(Member, member.id)
        post(
            s,
            shop_id=klubb.shop_id,
            member_id=member.id,
            points=5,
            kind="earn",
            source_key="e",
            reason=reasons.order(1),
        )
        assert loaded.points_balance == 105
