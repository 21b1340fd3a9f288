"""The seeded shop for the analytics tests, pushed through the app's real entry points.

Joins come through the signed app proxy, orders, cancellations and refunds through signed
webhooks worked by the RQ jobs (``drain``), redemptions through the rewards service, expiry
through the expiry run. Nothing is written to the rollups by hand.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from loyalty.analytics.periods import shop_today
from loyalty.core.models import Member, ProgramSettings
from loyalty.core.types import utcnow
from loyalty.points import reasons
from loyalty.points.expiry import expire_inactive_points
from loyalty.rewards import catalogue as reward_catalogue
from loyalty.rewards import redemptions as rewards
from loyalty.rewards.redemption_states import return_reservation
from tests.analytics import seed
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.shops import SHOP


class Seeded:
    """What the seeding did that the expected figures need: today, and the points expired."""

    def __init__(self, today: date, expired: int) -> None:
        self.today = today
        self.expired = expired


@pytest.fixture
def seeded(app: Any, rt: Any, shop: Any, post_webhook: Any, proxy: Any) -> Seeded:
    """The shop of :mod:`tests.analytics.seed`, every fact delivered the way production does."""
    with rt.sessions.begin() as s:
        s.execute(
            update(ProgramSettings)
            .where(ProgramSettings.shop_id == shop.id)
            .values(auto_enrol=False, welcome_discount_percent=0)
        )
    today = shop_today(rt.sessions, shop.id)
    for customer in seed.MEMBERS:
        joined = proxy(
            "POST",
            "/proxy/api/join",
            customer_id=customer,
            json={},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert joined.status_code == 200, joined.get_json()
    for order in seed.ORDERS:
        topic = "orders/paid" if order.status == "paid" else "orders/create"
        assert post_webhook(topic, order.body(today)).status_code == 200
        if order.cancelled:
            cancelled = order.body(today, cancelled=True)
            assert post_webhook("orders/cancelled", cancelled).status_code == 200
    drain(app)
    # The late refund (and the others) arrive today, after their orders were counted.
    for order in seed.ORDERS:
        for body in order.refund_bodies():
            assert post_webhook("refunds/create", body).status_code == 200
    drain(app)

    reward_ids = [
        reward_catalogue.create_reward(rt.sessions, shop.id, r)["id"] for r in seed.REWARDS
    ]
    kept, _ = rewards.reserve(
        rt.sessions, shop.id, seed.ANNA, int(reward_ids[0]), idempotency_key="anna-1"
    )
    assert kept.points == seed.REDEEMED_KEPT[1]
    returned, _ = rewards.reserve(
        rt.sessions, shop.id, seed.BJORN, int(reward_ids[1]), idempotency_key="bjorn-1"
    )
    return_reservation(rt.sessions, returned.id, reasons.code_not_created("TEST"))

    # Dina has done nothing for over a year: her signup bonus expires today.
    long_ago = utcnow() - timedelta(days=400)
    with rt.sessions.begin() as s:
        s.execute(
            update(Member)
            .where(Member.shop_id == shop.id, Member.customer_id == seed.DINA)
            .values(joined_at=long_ago, last_activity_at=long_ago)
        )
    run = expire_inactive_points(rt.sessions)
    assert run.points == seed.SIGNUP_BONUS
    return Seeded(today, run.points)


@pytest.fixture
def analytics(client: Any) -> Any:
    """``analytics(**query)``: GET /api/analytics as the seeded shop's staff; the response."""

    def get(path: str = "/api/analytics", shop: str = SHOP, **query: str) -> Any:
        return client.get(path, query_string=query, headers=bearer(shop))

    return get
