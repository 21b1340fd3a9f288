"""Redemptions move the balance, so Shopify's ``$app:loyalty.points`` follows them: after a code
is issued, and after a reservation's points come back."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update

from jobs.engine import enqueue_balance_sync
from jobs.redemptions import finish_redemption, maintain_redemptions
from loyalty.core.models import Member, Redemption
from loyalty.core.types import utcnow
from loyalty.rewards import catalogue as reward_catalogue
from loyalty.rewards import redemptions as rewards
from tests.support.bodies import Line, customer_body, order_body
from tests.support.jobs import drain
from tests.worker.helpers import CUSTOMER

GID = f"gid://shopify/Customer/{CUSTOMER}"


def shopify_points(fake_shop):
    field = fake_shop.metafield(GID, "$app:loyalty", "points")
    return None if field is None else int(field.value)


def balance(rt):
    with rt.sessions() as s:
        return s.scalar(select(Member.points_balance).where(Member.customer_id == CUSTOMER))


def redeem(proxy, reward_id):
    return proxy(
        "POST",
        "/proxy/api/redemptions",
        customer_id=CUSTOMER,
        json={"reward_id": str(reward_id)},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


def make_reward(rt, shop_id) -> int:
    data = {"kind": "fixed_amount", "title": "50 kr", "points_cost": 500, "value": "50"}
    return int(reward_catalogue.create_reward(rt.sessions, shop_id, data)["id"])


def a_member_with_600_points(deliver, fake_shop):
    deliver("customers/create", customer_body(CUSTOMER))  # 100 signup bonus
    deliver("orders/paid", order_body(6301, [Line(1, "500.00")], customer_id=CUSTOMER))
    assert shopify_points(fake_shop) == 600


def test_an_issued_redemption_lowers_the_metafield_to_the_balance(
    deliver, proxy, fake_shop, rt, app, shop_id
):
    a_member_with_600_points(deliver, fake_shop)
    reward = make_reward(rt, shop_id)

    response = redeem(proxy, reward)
    assert response.status_code == 201, response.get_json()
    drain(app)

    assert shopify_points(fake_shop) == balance(rt) == 100


def test_a_released_reservation_puts_the_points_back_in_shopify_too(
    deliver, proxy, fake_shop, rt, app, shop_id
):
    a_member_with_600_points(deliver, fake_shop)
    reward = make_reward(rt, shop_id)
    # A reservation whose request died before Shopify was asked, 20 minutes ago.
    view, _ = rewards.reserve(rt.sessions, shop_id, CUSTOMER, reward, idempotency_key="k")
    with rt.sessions.begin() as s:
        s.execute(
            update(Redemption)
            .where(Redemption.id == view.id)
            .values(created_at=utcnow() - timedelta(minutes=20))
        )
    enqueue_balance_sync(rt, view.member_id)
    drain(app)
    assert shopify_points(fake_shop) == balance(rt) == 100

    assert maintain_redemptions()["returned"] == 1
    drain(app)

    assert shopify_points(fake_shop) == balance(rt) == 600


def test_a_redemption_whose_code_never_comes_gives_the_points_back_in_shopify(
    deliver, proxy, fake_shop, fake_shopify, rt, app, shop_id
):
    """202 (Shopify failed the quick try); the finishing job fails, then its last try gives up."""
    a_member_with_600_points(deliver, fake_shop)
    fake_shopify.fail_next_graphql_request(status=503)
    response = redeem(proxy, make_reward(rt, shop_id))
    assert response.status_code == 202
    redemption_id = int(response.get_json()["id"])
    down_for_one_try(fake_shopify)
    drain(app, raise_failures=False)  # the job fails (RQ retries it later); the sync runs
    assert shopify_points(fake_shop) == balance(rt) == 100

    down_for_one_try(fake_shopify)
    assert finish_redemption(redemption_id) == "returned"  # outside RQ: its last try
    drain(app)

    assert shopify_points(fake_shop) == balance(rt) == 600


def down_for_one_try(fake_shopify) -> None:
    """Shopify answers 500 to the job client's next try and its three retries."""
    for _ in range(4):
        fake_shopify.fail_next_graphql_request(status=500)
