"""Bad input from the storefront is a 4xx in the error shape, never a 500 (issue #15, items 5-8).

Through the app proxy as Shopify signs it: ids that are no ids (``²``, beyond BIGINT) in the
path, the body or the signed query; fields of the wrong type; text PostgreSQL cannot store.
Nothing is reserved or spent by a refused call.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.rewards import CUSTOMER, balance, redemption_rows

NOT_IDS: list[Any] = [
    "²",
    "\u0661\u0662",
    "0",
    -1,
    True,
    1.0,
    "9223372036854775808",
    2**63,
    1180591620717411303424,
    "1180591620717411303424",
    {},
    [],
    None,
]


def post_json(proxy: Any, path: str, body: Any) -> Any:
    return proxy(
        "POST",
        path,
        customer_id=CUSTOMER,
        json=body,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.get_data()[:300])
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return dict(error)


def test_a_reward_id_that_is_no_id_is_422_and_spends_nothing(proxy, rt, member_id, reward_id):
    for not_an_id in NOT_IDS:
        response = post_json(proxy, "/proxy/api/redemptions", {"reward_id": not_an_id})
        error = assert_error(response, 422, "validation_failed")
        assert list(error["fields"]) == ["reward_id"], not_an_id
    assert balance(rt, member_id) == 1000
    assert redemption_rows(rt, member_id) == []


@pytest.mark.parametrize(
    "not_an_id", ["²", "\u0661\u0662", "0", "9223372036854775808", "1" + "0" * 30]
)
def test_a_redemption_id_in_the_path_that_is_no_id_is_404(proxy, member_id, not_an_id):
    response = proxy("GET", f"/proxy/api/redemptions/{not_an_id}", customer_id=CUSTOMER)
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("signed_id", ["²", "9223372036854775808", "1180591620717411303424"])
def test_a_signed_customer_id_that_is_no_id_is_400(proxy, shop_id, signed_id):
    """Only Shopify can sign it, and never sends such a thing: refused, not read as a guest."""
    response = proxy("GET", "/proxy/api/member", customer_id=signed_id)
    assert_error(response, 400, "invalid_customer")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/proxy/api/redemptions", {"reward_id": "1"}),
        ("POST", "/proxy/api/join", {}),
        ("PATCH", "/proxy/api/me", {"preferred_name": "Kari"}),
        ("PUT", "/proxy/api/me/consents", {"email": True}),
        ("DELETE", "/proxy/api/me", {"confirm": "LEAVE"}),
    ],
)
def test_text_that_cannot_be_stored_is_422_naming_the_field(
    proxy, rt, member_id, method, path, body
):
    for text in ("\u0000", "Kari\u0000", "\ud800"):
        for name, value in [*((k, text) for k in body), ("note", {"deeper": [text]}), (text, 1)]:
            response = proxy(
                method,
                path,
                customer_id=CUSTOMER,
                json={**body, name: value},
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            error = assert_error(response, 422, "validation_failed")
            assert list(error["fields"]) == [name], (path, name, value)
    assert balance(rt, member_id) == 1000  # nobody left the club, nothing was redeemed


def test_a_nul_in_the_query_is_422_naming_it(proxy, member_id):
    response = proxy("GET", "/proxy/api/member", customer_id=CUSTOMER, extra={"x": ["\u0000"]})
    assert list(assert_error(response, 422, "validation_failed")["fields"]) == ["x"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/proxy/api/me", {"birthday": "1990-01-01", "preferred_name": "K"}),
        ("PATCH", "/proxy/api/me", {"language": "nb"}),
        ("PUT", "/proxy/api/me/consents", {"email": True, "sms": False}),
        ("DELETE", "/proxy/api/me", {"confirm": "LEAVE"}),
    ],
)
def test_a_field_of_another_type_is_422_naming_it(proxy, rt, member_id, method, path, body):
    """Objects, lists, fractions and numbers past BIGINT where text or a flag belongs."""
    for name in body:
        for value in (
            {},
            [],
            {"a": 1},
            ["nb"],
            1.5,
            2**70,
            "\u0661\u0669\u0669\u0660-\u0660\u0661-\u0660\u0661" if name == "birthday" else 0,
        ):
            response = proxy(
                method,
                path,
                customer_id=CUSTOMER,
                json={**body, name: value},
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            assert response.status_code == 422, (name, value, response.get_json())
            assert name in response.get_json()["error"]["fields"], (name, value)
    assert balance(rt, member_id) == 1000
