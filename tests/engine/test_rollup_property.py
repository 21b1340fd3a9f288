"""Invariant 4 for the customer days: whatever the delivery order, one row for a counted order.

Reuses the engine's story of one order's life (``tests.engine.test_order_independence``):
shuffled, duplicated webhooks, refunds before their order, cancellations, edits.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from loyalty.core.models import CustomerDayOrders
from tests.engine.test_order_independence import stories
from tests.support.config import EMBEDDED

DAY = date(2026, 3, 2)  # the day the bodies place the order (Oslo)


@pytest.mark.postgres
@pytest.mark.skipif(EMBEDDED, reason="the property runs on PostgreSQL")
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(story=stories())
def test_a_customers_day_holds_the_order_once_if_it_counts(rt, new_klubb, story):
    klubb = new_klubb(currency=story.currency, earn_rate=story.rate)
    for topic, body in story.deliveries:
        klubb.deliver(topic, body)
    with rt.sessions() as s:
        rows = s.execute(
            select(CustomerDayOrders.day, CustomerDayOrders.member, CustomerDayOrders.orders).where(
                CustomerDayOrders.shop_id == klubb.shop_id
            )
        ).all()
    counted = story.paid and not story.cancelled and not story.test
    expected = [(DAY, True, 1)] if counted and not story.guest else []
    assert [tuple(r) for r in rows] == expected
