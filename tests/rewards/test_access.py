"""Who may redeem, and what: only the signed-in shopper, for themselves, with a JSON body."""

from __future__ import annotations

import uuid

import pytest

from loyalty.core.models import MemberStatus
from tests.support.rewards import CUSTOMER, OTHER_CUSTOMER, balance, give_points, set_member


@pytest.mark.embedded
def test_a_guest_gets_401_sign_in_required(proxy, redeem, member_id, reward_id):
    for response in (
        redeem(reward_id, customer_id=None),
        proxy("GET", "/proxy/api/redemptions/1"),
        proxy("POST", "/proxy/api/join", json={}, headers={"Idempotency-Key": "k"}),
    ):
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "sign_in_required"


def test_another_customers_redemption_is_not_found(
    rt, proxy, redeem, shop_id, member_id, reward_id
):
    give_points(rt, shop_id, OTHER_CUSTOMER, 1000)
    theirs = redeem(reward_id, customer_id=OTHER_CUSTOMER).get_json()["id"]

    response = proxy("GET", f"/proxy/api/redemptions/{theirs}", customer_id=CUSTOMER)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert "KLUBB-" not in response.get_data(as_text=True)
    mine = proxy("GET", f"/proxy/api/redemptions/{theirs}", customer_id=OTHER_CUSTOMER)
    assert mine.status_code == 200


@pytest.mark.parametrize("path", ["/proxy/api/redemptions/abc", "/proxy/api/redemptions/999999"])
def test_an_unknown_redemption_id_is_not_found(proxy, member_id, path):
    assert proxy("GET", path, customer_id=CUSTOMER).status_code == 404


def test_a_redemption_is_not_found_through_another_shop(rt, proxy, redeem, member_id, reward_id):
    from loyalty.core.models import Shop
    from loyalty.core.types import utcnow

    mine = redeem(reward_id).get_json()["id"]
    with rt.sessions.begin() as s:
        s.add(Shop(domain="other-shop.myshopify.com", installed_at=utcnow()))

    response = proxy(
        "GET",
        f"/proxy/api/redemptions/{mine}",
        customer_id=CUSTOMER,
        shop="other-shop.myshopify.com",
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": {"reward_id": "1"}},  # form-encoded
        {"data": '{"reward_id": "1"}', "content_type": "text/plain"},
        {},  # no body at all
    ],
)
@pytest.mark.embedded
def test_a_body_that_is_not_json_is_415(rt, proxy, member_id, reward_id, kwargs):
    response = proxy(
        "POST",
        "/proxy/api/redemptions",
        customer_id=CUSTOMER,
        headers={"Idempotency-Key": str(uuid.uuid4())},
        **kwargs,
    )
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"
    assert balance(rt, member_id) == 1000


def test_a_customer_id_in_the_body_that_is_not_theirs_is_refused(rt, proxy, member_id, reward_id):
    response = proxy(
        "POST",
        "/proxy/api/redemptions",
        customer_id=CUSTOMER,
        json={"reward_id": reward_id, "customer_id": str(OTHER_CUSTOMER)},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden_customer"
    assert balance(rt, member_id) == 1000


def test_a_redemption_needs_an_idempotency_key(proxy, member_id, reward_id):
    response = proxy(
        "POST", "/proxy/api/redemptions", customer_id=CUSTOMER, json={"reward_id": reward_id}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "idempotency_key_required"


@pytest.mark.parametrize("reward", [None, "", "abc", -3, True])
def test_a_missing_or_malformed_reward_id_is_422(redeem, member_id, reward):
    response = redeem(reward)
    assert response.status_code == 422
    assert "reward_id" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("status", [MemberStatus.RESTRICTED, MemberStatus.ANONYMISED])
def test_a_restricted_or_anonymised_member_cannot_redeem(rt, redeem, member_id, reward_id, status):
    set_member(rt, member_id, status=status)
    response = redeem(reward_id)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "redemption_refused"
    assert balance(rt, member_id) == 1000


def test_a_signed_in_non_member_is_told_to_join(redeem, shop_id, reward_id):
    response = redeem(reward_id, customer_id=OTHER_CUSTOMER)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_a_member"
