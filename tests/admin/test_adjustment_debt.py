"""A staff adjustment cannot push a balance below zero by accident (issue #24, item 1).

Through ``POST /api/members/{id}/adjustments`` with a session token, on a member the
``customers/create`` webhook enrolled (signup bonus: 100 points).
"""

from __future__ import annotations

import pytest

from tests.support.bodies import customer_body
from tests.support.shops import SHOP

CUSTOMER = 820982911946154500
URL = f"/api/members/{CUSTOMER}/adjustments"


@pytest.fixture
def adjust(deliver, client, fake_shopify):
    deliver("customers/create", customer_body(CUSTOMER))

    def post(body, key=None):
        headers = {"Authorization": f"Bearer {fake_shopify.session_token(SHOP, sub='77')}"}
        if key:
            headers["Idempotency-Key"] = key
        return client.post(URL, json=body, headers=headers)

    return post


def balance(client, fake_shopify) -> int:
    token = fake_shopify.session_token(SHOP)
    answer = client.get(f"/api/members/{CUSTOMER}", headers={"Authorization": f"Bearer {token}"})
    return int(answer.get_json()["points_balance"])


@pytest.mark.embedded
def test_removing_more_than_the_balance_is_refused_with_a_code_and_changes_nothing(
    adjust, client, fake_shopify
):
    answer = adjust({"points": -998_500, "reason": "Typo"})
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "balance_below_zero"
    assert "-998,400" in error["fields"]["points"]
    assert balance(client, fake_shopify) == 100


def test_a_confirmed_debt_is_posted(adjust, client, fake_shopify):
    answer = adjust({"points": -150, "reason": "Returned goods", "allow_debt": True})
    assert answer.status_code == 201
    assert answer.get_json()["points_balance"] == -50
    assert balance(client, fake_shopify) == -50


def test_down_to_exactly_zero_needs_no_confirmation(adjust, client, fake_shopify):
    assert adjust({"points": -100, "reason": "Correction"}).status_code == 201
    assert balance(client, fake_shopify) == 0


def test_a_retry_of_a_posted_adjustment_answers_as_before_not_with_the_debt_check(adjust):
    assert adjust({"points": -100, "reason": "Correction"}, key="k-1").status_code == 201
    again = adjust({"points": -100, "reason": "Correction"}, key="k-1")
    assert again.status_code == 200
    assert again.get_json()["created"] is False


def test_adding_points_to_a_negative_balance_needs_no_confirmation(adjust):
    assert adjust({"points": -300, "reason": "Debt", "allow_debt": True}).status_code == 201
    assert adjust({"points": 50, "reason": "Partial payback"}).status_code == 201


def test_allow_debt_must_be_a_boolean(adjust):
    answer = adjust({"points": -10, "reason": "x", "allow_debt": "yes"})
    assert answer.status_code == 422
    assert set(answer.get_json()["error"]["fields"]) == {"allow_debt"}
