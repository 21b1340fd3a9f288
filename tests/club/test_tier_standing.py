"""The tier rules in-process: multipliers, moving up and down, grace, periods, bonuses, deletes.

The engine is driven as the webhook jobs drive it (``tests.support.points.Klubb``); the ladder
is made through the catalogue a month before the orders (``tests.club.conftest``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from loyalty.club.tier_catalogue import create_tier
from loyalty.club.tier_removal import delete_tier
from loyalty.club.tier_rewards import recompute_members
from loyalty.core.models import LedgerEntry, Member, MemberStatus, MemberTier
from loyalty.members.staff import adjust_points, member_detail
from loyalty.points import reasons
from loyalty.points.expiry import expire_member
from tests.club.conftest import BRONZE_SILVER_GOLD, moves, tier_of
from tests.support.bodies import T0, Line, at, customer_body, order_body, refund_body

pytestmark = pytest.mark.embedded

CUSTOMER = 7001


def paid(order_id, amount, minute=0, **kw):
    body = order_body(order_id, [Line(order_id * 10, amount)], customer_id=CUSTOMER, **kw)
    body["created_at"] = body["processed_at"] = at(minute)
    return body


def entries(klubb):
    with klubb.sessions() as s:
        rows = s.execute(
            select(
                LedgerEntry.kind,
                LedgerEntry.points,
                LedgerEntry.reason_code,
                LedgerEntry.reason_params,
            )
            .where(LedgerEntry.shop_id == klubb.shop_id)
            .order_by(LedgerEntry.id)
        )
        return [
            (
                kind,
                points,
                code,
                {k: v for k, v in (params or {}).items() if k != "tier_id"} or None,
            )
            for kind, points, code, params in rows
        ]


def standing(klubb):
    with klubb.sessions() as s:
        member = s.scalars(select(Member).where(Member.shop_id == klubb.shop_id)).one()
        return member_detail(klubb.sessions, klubb.shop_id, member.customer_id, staff_user_id=None)


def test_a_member_climbs_and_orders_earn_with_their_tiers_multiplier(klubb, ladder):
    ladder(klubb, *BRONZE_SILVER_GOLD)
    klubb.customer(customer_body(CUSTOMER))
    assert tier_of(klubb, CUSTOMER) == "Bronze"
    klubb.order(paid(1, "1000.00"))  # placed in Bronze: 1000; now 1100 points: Silver
    klubb.order(paid(2, "1200.00", minute=60))  # placed in Silver: 1500; now 2600: Gold
    klubb.order(paid(3, "100.00", minute=120))  # placed in Gold: 150
    assert tier_of(klubb, CUSTOMER) == "Gold"
    assert entries(klubb) == [
        ("bonus", 100, "signup_bonus", None),
        ("earn", 1000, "order", {"order_id": "1"}),
        ("earn", 1500, "order", {"order_id": "2", "tier": "Silver", "multiplier": "1.25"}),
        ("bonus", 200, "tier_bonus", {"tier": "Gold"}),
        ("earn", 150, "order", {"order_id": "3", "tier": "Gold", "multiplier": "1.5"}),
    ]
    assert moves(klubb, CUSTOMER) == [
        (None, "Bronze", "joined"),
        ("Bronze", "Silver", "order"),
        ("Silver", "Gold", "order"),
    ]
    detail = standing(klubb)
    assert detail["tier"]["name"] == "Gold" and detail["next_tier"] is None
    assert klubb.balance(CUSTOMER) == 100 + 1000 + 1500 + 200 + 150


def test_the_ledger_says_which_tier_an_order_earned_in():
    params = reasons.order(1001, "Gold", "1.5").params
    words = reasons.label("order", params, None, order_name="#1001")
    assert words == "Order #1001 · Gold ×1.5"  # noqa: RUF001
    norsk = reasons.label("order", params, None, order_name="#1001", number=lambda n: "1 000")
    assert norsk.endswith("×1,5")  # noqa: RUF001


def test_refunds_and_cancellations_move_a_member_down_at_once_and_take_the_bonus_back(
    klubb, ladder
):
    ladder(klubb, *BRONZE_SILVER_GOLD)
    klubb.order(paid(1, "2500.00"))
    assert tier_of(klubb, CUSTOMER) == "Gold"  # 100 + 2500
    line = Line(10, "2500.00")
    klubb.refund(refund_body(91, 1, [(line, 1)]))
    assert tier_of(klubb, CUSTOMER) == "Bronze"  # no grace for what never counted
    assert [(k, p) for k, p, *_ in entries(klubb)][-2:] == [("refund", -2500), ("bonus", -200)]
    assert moves(klubb, CUSTOMER)[-1] == ("Gold", "Bronze", "refund")
    klubb.order(paid(2, "2000.00", minute=60))
    klubb.order(paid(2, "2000.00", minute=60, cancelled=True, financial_status="refunded"))
    assert tier_of(klubb, CUSTOMER) == "Bronze"
    assert klubb.balance(CUSTOMER) == 100
    assert klubb.drift() == []


def test_an_earlier_order_arriving_late_changes_the_tier_later_orders_earned_in(klubb, ladder):
    ladder(klubb, *BRONZE_SILVER_GOLD)
    klubb.order(paid(2, "100.00", minute=60))  # alone it was placed in Bronze
    assert klubb.record(2).points_owed == 100
    klubb.order(paid(1, "1000.00", minute=0))  # placed before it: order 2 was in Silver
    assert (klubb.record(2).tier_name, klubb.record(2).points_owed) == ("Silver", 125)
    assert klubb.balance(CUSTOMER) == 100 + 1000 + 125


def test_orders_placed_before_a_tier_existed_earn_without_it(klubb, ladder):
    klubb.order(paid(1, "3000.00"))
    vip = {"name": "VIP", "basis": "points", "threshold": 0, "earn_multiplier": "2"}
    create_tier(klubb.sessions, klubb.shop_id, vip, now=T0 + timedelta(days=1))
    klubb.refund(refund_body(91, 1, [(Line(10, "3000.00"), 1)]))  # settled again: still at 1 times
    assert klubb.record(1).tier_id is None and klubb.record(1).points_owed == 0


def test_a_grace_period_keeps_the_tier_after_the_period_rolls_over(new_klubb, ladder):
    klubb = new_klubb(tier_grace_days=30)
    ladder(klubb, *BRONZE_SILVER_GOLD, period="rolling_12_months")
    klubb.order(paid(1, "2500.00"), now=T0)
    year_on = datetime(2027, 3, 2, 12, 0, 1, tzinfo=UTC)  # order 1 leaves the 12 months
    recompute_members(
        klubb.sessions, klubb.shop_id, cause="nightly", now=year_on + timedelta(days=29)
    )
    assert tier_of(klubb, CUSTOMER) == "Gold"
    recompute_members(
        klubb.sessions, klubb.shop_id, cause="nightly", now=year_on + timedelta(days=31)
    )
    assert tier_of(klubb, CUSTOMER) == "Bronze"  # the signup bonus left too: 0 points
    assert moves(klubb, CUSTOMER)[-1] == ("Gold", "Bronze", "nightly")
    assert klubb.balance(CUSTOMER) == 100 + 2500 + 200  # the bonus stays: Gold was reached


@pytest.mark.parametrize(
    ("placed", "counts"),
    [("2026-12-31T10:30:00+00:00", False), ("2026-12-31T11:30:00+00:00", True)],
)
def test_a_calendar_year_starts_at_midnight_in_the_shops_time_zone(
    new_klubb, ladder, placed, counts
):
    klubb = new_klubb(tier_grace_days=0, timezone="Pacific/Auckland")  # UTC+13 in summer
    ladder(klubb, {"name": "Regular", "threshold": 1}, basis="orders", period="calendar_year")
    body = paid(1, "10.00")
    body["created_at"] = body["processed_at"] = placed  # 23:30 on 31 Dec, or 00:30 on 1 Jan
    klubb.order(body, now=datetime(2027, 1, 1, 12, tzinfo=UTC))  # 2 Jan, 01:00 in Auckland
    assert tier_of(klubb, CUSTOMER) == ("Regular" if counts else None)


def test_orders_and_spend_count_by_their_own_rules(new_klubb, ladder):
    klubb = new_klubb(tier_grace_days=0)
    ladder(klubb, {"name": "Regular", "threshold": 2}, basis="orders", period="calendar_year")
    klubb.order(paid(1, "10.00"))
    klubb.order(paid(2, "10.00", minute=5, test=True))
    assert tier_of(klubb, CUSTOMER) is None
    klubb.order(paid(3, "10.00", minute=9))
    assert tier_of(klubb, CUSTOMER) == "Regular"
    klubb.refund(refund_body(93, 3, [(Line(30, "10.00"), 1)]))  # still a paid order
    assert tier_of(klubb, CUSTOMER) == "Regular"
    next_year = datetime(2027, 1, 1, 0, 0, 1, tzinfo=UTC)  # 01:00 in Oslo
    recompute_members(klubb.sessions, klubb.shop_id, cause="nightly", now=next_year)
    assert tier_of(klubb, CUSTOMER) is None

    spend = new_klubb()
    ladder(spend, {"name": "Big", "threshold": "1000.50"}, basis="spend")
    spend.order(paid(1, "1000.50"))
    assert tier_of(spend, CUSTOMER) == "Big"
    spend.refund(refund_body(91, 1, [(Line(10, "1000.50"), 1)]))
    assert tier_of(spend, CUSTOMER) is None
    detail = standing(spend)
    assert detail["next_tier"] | {"id": "x"} == {
        "id": "x",
        "name": "Big",
        "remaining": "1000.5",
        "basis": "spend",
        "threshold": "1000.5",
        "progress": "0",
        "currency": "NOK",
    }


def test_adjustments_count_only_when_the_shop_says_so_and_expiry_never_lowers(new_klubb, ladder):
    for counts, expected in ((False, "Bronze"), (True, "Silver")):
        klubb = new_klubb(tier_counts_adjustments=counts)
        ladder(klubb, *BRONZE_SILVER_GOLD)
        klubb.customer(customer_body(CUSTOMER))
        adjust_points(
            klubb.sessions,
            klubb.shop_id,
            CUSTOMER,
            {"points": 950, "reason": "Goodwill"},
            staff_user_id="1",
        )
        assert tier_of(klubb, CUSTOMER) == expected
        assert standing(klubb)["next_tier"]["remaining"] == (900 if not counts else 1450)
    with klubb.sessions() as s:
        member = s.scalars(select(Member).where(Member.shop_id == klubb.shop_id)).one()
    expire_member(
        klubb.sessions, klubb.shop_id, member.id, T0 + timedelta(days=999), T0 + timedelta(days=999)
    )
    assert klubb.balance(CUSTOMER) == 0
    recompute_members(klubb.sessions, klubb.shop_id, cause="nightly")
    assert tier_of(klubb, CUSTOMER) == "Silver"


def test_a_restricted_member_gets_no_entry_bonus_until_the_restriction_is_lifted(klubb, ladder):
    ladder(klubb, {"name": "Gold", "threshold": "2500", "entry_bonus": 200}, basis="spend")
    klubb.customer(customer_body(CUSTOMER))

    def status(value):
        with klubb.sessions.begin() as s:
            s.execute(
                Member.__table__.update()
                .where(Member.shop_id == klubb.shop_id)
                .values(status=value)
            )

    status(MemberStatus.RESTRICTED)
    klubb.order(paid(1, "3000.00"))  # counts as spend, earns no points
    assert tier_of(klubb, CUSTOMER) == "Gold"
    assert klubb.balance(CUSTOMER) == 100
    status(MemberStatus.ACTIVE)
    recompute_members(klubb.sessions, klubb.shop_id, cause="nightly")
    assert klubb.balance(CUSTOMER) == 300


def test_deleting_the_tier_members_are_in_moves_them_down_with_history(klubb, ladder):
    bronze, silver, _gold = ladder(klubb, *BRONZE_SILVER_GOLD)
    klubb.order(paid(1, "1000.00"))
    assert tier_of(klubb, CUSTOMER) == "Silver"
    result = delete_tier(klubb.sessions, klubb.shop_id, silver)
    assert result == {
        "deleted": str(silver),
        "members_moved": 1,
        "moved_to": {"id": str(bronze), "name": "Bronze"},
    }
    assert tier_of(klubb, CUSTOMER) == "Bronze"
    assert moves(klubb, CUSTOMER)[-1] == ("Silver", "Bronze", "tier_deleted")
    recompute_members(klubb.sessions, klubb.shop_id, cause="ladder_changed")
    assert tier_of(klubb, CUSTOMER) == "Bronze"  # their facts say so too
    assert klubb.balance(CUSTOMER) == 1100  # nothing earned is taken


def test_deleting_a_tier_can_send_its_members_up_for_the_period(new_klubb, ladder):
    klubb = new_klubb()
    _bronze, silver, gold = ladder(klubb, *BRONZE_SILVER_GOLD, period="rolling_12_months")
    klubb.order(paid(1, "1000.00"), now=T0)
    delete_tier(klubb.sessions, klubb.shop_id, silver, move_to=gold, now=T0 + timedelta(hours=1))
    assert tier_of(klubb, CUSTOMER) == "Gold"
    recompute_members(klubb.sessions, klubb.shop_id, cause="nightly", now=T0 + timedelta(days=2))
    assert tier_of(klubb, CUSTOMER) == "Gold"  # granted: facts do not move them straight back
    klubb.order(paid(2, "100.00", minute=24 * 60), now=T0 + timedelta(days=2))
    assert (klubb.record(2).tier_name, klubb.record(2).points_owed) == ("Gold", 150)
    with klubb.sessions() as s:
        row = s.scalars(select(MemberTier)).one()
        assert row.granted_until == datetime(2027, 3, 2, 13, tzinfo=UTC)
    later = datetime(2027, 3, 3, tzinfo=UTC) + timedelta(days=31)
    recompute_members(klubb.sessions, klubb.shop_id, cause="nightly", now=later)
    assert tier_of(klubb, CUSTOMER) == "Bronze"  # the grant and the 12 months are over


def test_a_recurring_reward_is_paid_once_a_month(new_klubb, ladder):
    klubb = new_klubb()
    ladder(
        klubb,
        {"name": "Club", "threshold": 0, "recurring_reward": {"points": 25, "every": "month"}},
    )
    klubb.customer(customer_body(CUSTOMER))
    december = datetime(2026, 12, 7, 2, tzinfo=UTC)
    for night in (december, december + timedelta(days=1), datetime(2027, 1, 2, 2, tzinfo=UTC)):
        recompute_members(klubb.sessions, klubb.shop_id, cause="nightly", now=night, rewards=True)
    rewards = [
        (p, params["period"]) for _, p, code, params in entries(klubb) if code == "tier_reward"
    ]
    assert rewards == [(25, "2026-12"), (25, "2027-01")]
