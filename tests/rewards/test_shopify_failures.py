"""Shopify slow, throttled, failing or refusing during a redemption: a code later, or points back."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from loyalty.core.models import Redemption
from loyalty.core.types import utcnow
from loyalty.points import reasons
from loyalty.rewards import discount_codes
from loyalty.rewards import redemptions as rewards
from loyalty.rewards.discount_codes import CodeSpec
from loyalty.rewards.issuing import issue_code
from loyalty.rewards.redemption_states import return_reservation
from tests.support.jobs import drain
from tests.support.rewards import CUSTOMER, WAIT_SECONDS, balance, entries
from tests.support.shops import SHOP


def poll(proxy, redemption_id: str) -> dict:
    response = proxy("GET", f"/proxy/api/redemptions/{redemption_id}", customer_id=CUSTOMER)
    assert response.status_code == 200
    return response.get_json()


@pytest.mark.embedded
def test_throttled_shopify_answers_202_and_the_job_finishes_the_code(
    app, rt, proxy, redeem, fake_shopify, member_id, reward_id
):
    fake_shopify.throttle(SHOP, available=0)

    response = redeem(reward_id)
    assert response.status_code == 202
    pending = response.get_json()
    assert (pending["state"], pending["code"], pending["apply_url"]) == ("reserved", None, None)
    assert response.headers["Location"] == f"/apps/klubb/api/redemptions/{pending['id']}"
    assert pending["points_balance"] == 500
    assert poll(proxy, pending["id"])["state"] == "reserved"

    assert drain(app, ["shopify"]) == 2  # the code, and the balance sync the redemption queued
    done = poll(proxy, pending["id"])
    assert done["state"] == "issued" and done["apply_url"] == f"/discount/{done['code']}"
    assert fake_shopify.shop(SHOP).discount_by_code(done["code"]) is not None
    assert balance(rt, member_id) == 500


def test_slow_shopify_answers_202_and_the_code_is_created_once(
    app, rt, proxy, redeem, fake_shopify, member_id, reward_id
):
    """The first try times out but reaches Shopify later; the job adopts that code."""
    fake_shopify.fail_next_graphql_request(status=None, delay=WAIT_SECONDS + 0.5)

    response = redeem(reward_id)
    assert response.status_code == 202
    time.sleep(1.0)  # the slow request lands in the fake Shopify
    drain(app, ["shopify"])

    done = poll(proxy, response.get_json()["id"])
    assert done["state"] == "issued"
    discounts = fake_shopify.shop(SHOP).discounts
    assert len(discounts) == 1
    assert next(iter(discounts.values())).codes[0].code == done["code"]
    assert balance(rt, member_id) == 500


def test_shopify_5xx_once_then_the_job_issues_the_code(
    app, rt, proxy, redeem, fake_shopify, member_id, reward_id
):
    fake_shopify.fail_next_graphql_request(status=503)

    response = redeem(reward_id)
    assert response.status_code == 202
    drain(app, ["shopify"])
    assert poll(proxy, response.get_json()["id"])["state"] == "issued"


def test_shopify_failing_until_retries_run_out_gives_the_points_back(
    app, rt, proxy, redeem, fake_shopify, member_id, reward_id
):
    for _ in range(30):
        fake_shopify.fail_next_graphql_request(status=500)

    response = redeem(reward_id)
    assert response.status_code == 202
    drain(app, ["shopify"], raise_failures=False)

    done = poll(proxy, response.get_json()["id"])
    assert (done["state"], done["code"], done["points_balance"]) == ("returned", None, 1000)
    assert entries(rt, member_id) == [("adjust", 1000), ("redeem", -500), ("redeem_return", 500)]
    assert fake_shopify.shop(SHOP).discounts == {}


def test_shopify_refusing_the_code_returns_the_points_at_once(
    rt, proxy, redeem, shop_id, fake_shopify, make_reward
):
    """A customer Shopify does not know: userErrors, not worth retrying."""
    from tests.support.rewards import give_points

    stranger = give_points(rt, shop_id, 999, 1000)

    response = redeem(make_reward(), customer_id=999)
    assert response.status_code == 502
    body = response.get_json()
    assert body["error"]["code"] == "code_not_created"
    assert "returned" in body["error"]["message"]
    assert (body["redemption"]["state"], body["redemption"]["points_balance"]) == ("returned", 1000)
    assert entries(rt, stranger) == [("adjust", 1000), ("redeem", -500), ("redeem_return", 500)]
    assert fake_shopify.shop(SHOP).discounts == {}


def test_a_taken_code_is_retried_with_a_new_one(
    rt, redeem, fake_shopify, member_id, reward_id, monkeypatch, app
):
    """Another discount already owns the first code drawn: the redemption draws again."""
    from runtime import shop_access_token, shopify_client

    with app.test_request_context():
        discount_codes.create_code(
            shopify_client(),
            SHOP,
            shop_access_token(SHOP),
            CodeSpec(
                kind="free_shipping",
                code="KLUBB-TAKENTAKEN",
                title="Someone else's",
                customer_id=CUSTOMER,
                starts_at=utcnow(),
            ),
        )
    drawn = iter(["KLUBB-TAKENTAKEN", "KLUBB-FRESHCODE2"])
    monkeypatch.setattr(rewards, "new_code", lambda: next(drawn))

    body = redeem(reward_id).get_json()
    assert (body["state"], body["code"]) == ("issued", "KLUBB-FRESHCODE2")
    shop = fake_shopify.shop(SHOP)
    assert shop.discount_by_code("KLUBB-TAKENTAKEN").title == "Someone else's"
    assert shop.discount_by_code("KLUBB-FRESHCODE2").title.endswith(f"(Klubb #{body['id']})")


def test_a_code_created_for_a_redemption_returned_meanwhile_is_deleted(
    app, rt, shop_id, fake_shopify, member_id, reward_id
):
    """The release job gave the points back while the code was being created: no free code."""
    from runtime import shop_access_token, shopify_client

    view, _ = rewards.reserve(rt.sessions, shop_id, CUSTOMER, int(reward_id), idempotency_key="k")
    client = shopify_client()
    real_graphql = client.graphql

    def graphql_then_release(*args, **kwargs):
        data = real_graphql(*args, **kwargs)
        if "discountCodeBasicCreate" in data:
            return_reservation(rt.sessions, view.id, reasons.REWARD_RELEASED)
        return data

    client.graphql = graphql_then_release
    with app.test_request_context():
        after = issue_code(
            rt.sessions, client, shop_access_token, view.id, look_first=False, give_up=False
        )

    assert after.state == "returned"
    assert fake_shopify.shop(SHOP).discounts == {}
    assert balance(rt, member_id) == 1000
    with rt.sessions() as s:
        assert s.scalar(select(Redemption.discount_id).where(Redemption.id == view.id)) is None
