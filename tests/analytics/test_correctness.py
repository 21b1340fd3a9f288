"""The API's figures equal an independent account of the same orders, refunds and points."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from loyalty.core.models import Member
from tests.analytics import seed

pytestmark = pytest.mark.embedded


def balances(rt: Any, shop_id: int) -> int:
    """The sum of the shop's member balances (the liability the rollups must agree with)."""
    with rt.sessions() as s:
        return sum(s.scalars(select(Member.points_balance).where(Member.shop_id == shop_id)))


def test_the_default_period_matches_the_inputs_figure_for_figure(seeded, analytics, rt, shop):
    response = analytics()
    assert response.status_code == 200, response.get_json()
    start = seeded.today - timedelta(days=29)
    want = seed.expected(seeded.today, start, seeded.today, seeded.expired)
    got = response.get_json()
    for key in want:
        assert got[key] == want[key], key
    # The liability from the rollups is what the members hold (invariant 1).
    assert got["points"]["outstanding"] == balances(rt, shop.id)


def test_a_late_refund_changes_yesterdays_figures(seeded, analytics):
    yesterday = (seeded.today - timedelta(days=1)).isoformat()
    got = analytics(**{"from": yesterday, "to": yesterday}).get_json()
    want = seed.expected(
        seeded.today, seeded.today - timedelta(days=1), seeded.today - timedelta(days=1), 0
    )
    assert got == want
    # Bjørn's 300.00 order, refunded 100.00 today, counts 200.00 on the day it was placed.
    assert got["members"]["revenue"] == "200.00"
    assert got["days"][0]["member_revenue"] == "200.00"


@pytest.mark.parametrize("days", [(3, 2), (2, 0), (3, 0), (1, 1), (0, 0)])
def test_customers_and_repeat_buyers_are_exact_for_any_period(seeded, analytics, days):
    start, end = (seeded.today - timedelta(days=d) for d in days)
    got = analytics(**{"from": start.isoformat(), "to": end.isoformat()}).get_json()
    want = seed.expected(seeded.today, start, end, seeded.expired)
    for segment in ("members", "non_members", "all"):
        assert got[segment] == want[segment], segment
    assert got["days"] == want["days"]


def test_the_csv_has_the_daily_series(seeded, analytics):
    start = seeded.today - timedelta(days=3)
    response = analytics(
        "/api/analytics.csv", **{"from": start.isoformat(), "to": seeded.today.isoformat()}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    want = seed.expected(seeded.today, start, seeded.today, seeded.expired)["days"]
    assert rows == [{k: str(v) for k, v in day.items()} for day in want]
    same = analytics(format="csv", **{"from": start.isoformat(), "to": seeded.today.isoformat()})
    assert same.get_data() == response.get_data()


def test_replayed_webhooks_change_no_figure(seeded, analytics, post_webhook, app):
    from tests.support.jobs import drain

    before = analytics().get_json()
    for order in seed.ORDERS:
        post_webhook("orders/updated", order.body(seeded.today, cancelled=order.cancelled))
        for body in order.refund_bodies():
            post_webhook("refunds/create", body)
    drain(app)
    assert analytics().get_json() == before
