"""The referrer is paid by the hourly job once the friend's first order stood through the
waiting period: end to end through the proxy, webhooks and the job as RQ runs it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.referrals.helpers import (
    REFERRER,
    days,
    friend_order,
    referral_code,
    referral_entries,
    referrals,
    refund,
    settle,
    sign_up,
    summary,
)
from tests.support.bodies import order_body
from tests.support.jobs import drain

PLACED = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def _friend(proxy, rt, email: str = "venn@example.com") -> int:
    answer = sign_up(proxy, referral_code(proxy), email)
    assert answer.status_code == 200, answer.get_json()
    return int(next(r for r in referrals(rt) if r.friend_email == email).friend_customer_id)


def test_paid_after_the_waiting_period_once(fake, proxy, rt, app, post_webhook):
    friend = _friend(proxy, rt)
    friend_order(post_webhook, app, 9001, friend, PLACED)
    settle(app, rt, PLACED + days(13))
    assert referral_entries(rt) == []
    assert summary(proxy, REFERRER)["referrals"][0]["state"] == "ordered"
    settle(app, rt, PLACED + days(14))
    settle(app, rt, PLACED + days(15))  # again: nothing more
    assert referral_entries(rt) == [(500, "referral")]
    (row,) = referrals(rt)
    assert (row.outcome, row.rewarded_points, row.order_id) == ("rewarded", 500, 9001)
    mine = summary(proxy, REFERRER)["referrals"][0]
    assert (mine["state"], mine["points"]) == ("rewarded", 500)
    history = proxy("GET", "/proxy/api/me", customer_id=REFERRER).get_json()["recent_ledger"]
    entry = next(e for e in history if e["reason_code"] == "referral")
    assert entry["points"] == 500
    assert entry["reason_label"] == "A friend you referred placed a first order"


def test_a_referred_order_refunded_on_day_13_pays_nothing(fake, proxy, rt, app, post_webhook):
    friend = _friend(proxy, rt)
    line = friend_order(post_webhook, app, 9002, friend, PLACED)
    refund(post_webhook, app, 9002, line, PLACED + days(13))
    settle(app, rt, PLACED + days(20))
    assert referral_entries(rt) == []
    assert referrals(rt)[0].outcome == "not_eligible"


def test_a_refund_after_the_waiting_period_keeps_the_reward(fake, proxy, rt, app, post_webhook):
    friend = _friend(proxy, rt)
    line = friend_order(post_webhook, app, 9003, friend, PLACED)
    settle(app, rt, PLACED + days(15))
    refund(post_webhook, app, 9003, line, PLACED + days(16))
    settle(app, rt, PLACED + days(17))
    assert referral_entries(rt) == [(500, "referral")]


def test_an_order_cancelled_after_the_payout_takes_it_back(fake, proxy, rt, app, post_webhook):
    friend = _friend(proxy, rt)
    line = friend_order(post_webhook, app, 9004, friend, PLACED)
    settle(app, rt, PLACED + days(15))
    body = order_body(9004, [line], customer_id=friend, financial_status="refunded", cancelled=True)
    body["created_at"] = body["processed_at"] = PLACED.isoformat()
    body["updated_at"] = (PLACED + days(16)).isoformat()
    assert post_webhook("orders/cancelled", body).status_code == 200
    drain(app)
    settle(app, rt, PLACED + days(17))
    settle(app, rt, PLACED + days(18))
    assert referral_entries(rt) == [(500, "referral"), (-500, "referral_reversed")]
    assert referrals(rt)[0].outcome == "not_eligible"


def test_an_unpaid_order_waits(fake, proxy, rt, app, post_webhook):
    friend = _friend(proxy, rt)
    friend_order(post_webhook, app, 9005, friend, PLACED, status="pending")
    settle(app, rt, PLACED + days(30))
    assert referral_entries(rt) == []
    assert referrals(rt)[0].outcome == "ordered"


@pytest.mark.slow
def test_the_monthly_cap_pays_the_earliest_orders(fake, proxy, rt, app, post_webhook):
    friends = [_friend(proxy, rt, f"venn{n}@example.com") for n in range(4)]
    for n, friend in enumerate(reversed(friends)):  # told in another order than placed
        friend_order(post_webhook, app, 9100 + n, friend, PLACED + days(3 - n))
    settle(app, rt, PLACED + days(30))
    assert referral_entries(rt) == [(500, "referral")] * 3
    outcomes = {r.friend_email: r.outcome for r in referrals(rt)}
    assert outcomes["venn3@example.com"] == "capped"  # its order was the month's latest
