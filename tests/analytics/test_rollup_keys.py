"""Customer days: kept with every order change, and caught up for orders from before 0005."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, select, update

from loyalty.analytics.customer_days import key_recorded_orders
from loyalty.analytics.periods import Period
from loyalty.analytics.reports import report
from loyalty.core.models import CustomerDayCounts, CustomerDayOrders, OrderRecord
from tests.support.bodies import Line, at, order_body, refund_body
from tests.support.points import HASH_KEY

pytestmark = pytest.mark.embedded

DAY = date(2026, 3, 2)  # the bodies' orders are placed that day (Oslo)
SHOES = Line(1, "100.00")


def customer_days(klubb):
    with klubb.sessions() as s:
        rows = s.execute(
            select(CustomerDayOrders.day, CustomerDayOrders.member, CustomerDayOrders.orders).where(
                CustomerDayOrders.shop_id == klubb.shop_id
            )
        )
        return sorted(tuple(r) for r in rows)


def figures(klubb, segment="members"):
    body = report(klubb.sessions, klubb.shop_id, Period(DAY, DAY))[segment]
    return body["customers"], body["orders_with_customer"], body["repeat_customers"]


def test_a_refund_leaves_the_count_and_a_cancellation_removes_it(klubb):
    klubb.order(order_body(1, [SHOES], customer_id=7001, updated_at=at(1)))
    klubb.order(order_body(2, [SHOES], customer_id=7001, updated_at=at(1)))
    assert customer_days(klubb) == [(DAY, True, 2)]
    assert figures(klubb) == (1, 2, 1)
    klubb.refund(refund_body(501, 1, [(SHOES, 1)]))
    assert customer_days(klubb) == [(DAY, True, 2)]
    klubb.order(order_body(2, [SHOES], customer_id=7001, cancelled=True, updated_at=at(2)))
    assert customer_days(klubb) == [(DAY, True, 1)]
    assert figures(klubb) == (1, 1, 0)
    klubb.order(order_body(1, [SHOES], customer_id=7001, cancelled=True, updated_at=at(3)))
    assert customer_days(klubb) == []  # a row that reaches zero goes


def test_orders_recorded_before_customer_keys_are_caught_up_once(klubb, rt):
    klubb.order(order_body(1, [SHOES], customer_id=7001))
    klubb.order(order_body(2, [SHOES], customer_id=7001))
    klubb.order(order_body(3, [SHOES], customer_id=None))
    with rt.sessions.begin() as s:  # as revision 0005 found them (and 0009 counted them)
        s.execute(delete(CustomerDayOrders))
        s.execute(delete(CustomerDayCounts))
        s.execute(update(OrderRecord).values(customer_key=None, rollup_customer_key=None))
    assert figures(klubb) == (0, 0, 0)
    before = klubb.rollups()[DAY]
    assert key_recorded_orders(rt.sessions, HASH_KEY) == 2
    assert figures(klubb) == (1, 2, 1)
    assert key_recorded_orders(rt.sessions, HASH_KEY) == 0
    after = klubb.rollups()[DAY]
    assert (after.member_orders, after.guest_orders, after.member_revenue) == (
        before.member_orders,
        before.guest_orders,
        before.member_revenue,
    )
    assert klubb.entries(7001) == [("bonus", 100), ("earn", 100), ("earn", 100)]


def test_the_scheduled_job_runs_daily_on_the_webhooks_queue():
    from jobs import rollups as rollup_jobs
    from jobs import schedule

    (entry,) = [p for p in schedule.PERIODIC if p.func is rollup_jobs.key_recorded_orders]
    assert (entry.queue, entry.interval) == ("webhooks", 86400)


def test_a_shop_purge_removes_its_customer_days(klubb, new_klubb, rt):
    from loyalty.core.models import Shop
    from loyalty.privacy.purge import purge_shop

    other = new_klubb()
    for shop in (klubb, other):
        shop.order(order_body(1, [SHOES], customer_id=7001))
        shop.order(order_body(2, [SHOES], customer_id=7002))
    with rt.sessions() as s:
        domain = s.get(Shop, klubb.shop_id).domain
    assert purge_shop(rt.sessions, domain, batch_size=1).done
    assert customer_days(klubb) == []
    assert customer_days(other) == [(DAY, True, 1), (DAY, True, 1)]
