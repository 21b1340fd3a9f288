"""Bad input to the admin API is a 4xx in the error shape, never a 500 (issue #15, items 5-8).

Ids in URLs and query parameters go through one parser (``loyalty.core.ids``): ASCII digits
only (``str.isdigit`` takes ``²``, which ``int`` refuses), above 0 and within BIGINT. Text
that PostgreSQL cannot store (a NUL, a lone surrogate) is refused where it comes in, naming
the field. Every JSON field sent a value of another type is a 422 naming that field.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from loyalty.core.models import LedgerEntry, Reward
from tests.support.http import bearer
from tests.support.shops import SHOP_A

CUSTOMER = 4242
NOT_IDS = [
    "²",  # str.isdigit() says yes, int() says no
    "\u0661\u0662",  # Arabic-Indic digits: int() reads 12
    "0",
    "-1",
    "+1",
    "1.0",
    "1e3",
    "%201",  # a leading space
    "%00",
    "9223372036854775808",  # BIGINT's maximum + 1
    "1180591620717411303424",  # 2**70
    "9" * 5000,  # more digits than int() converts
]
ADJUSTMENT = {"points": 5, "reason": "Thank you"}
REWARD = {"kind": "fixed_amount", "title": "50 kr off", "points_cost": 500, "value": "50"}

ID_ROUTES = [
    ("GET", "/api/members/{}", None),
    ("GET", "/api/members/{}/audit", None),
    ("GET", "/api/members/{}/profile", None),
    ("POST", "/api/members/{}/adjustments", ADJUSTMENT),
    ("GET", "/api/imports/{}", None),
    ("GET", "/api/privacy-requests/{}/export", None),
    ("POST", "/api/failed-events/{}/retry", None),
    ("PUT", "/api/rewards/{}", {"title": "New title"}),
    ("POST", "/api/rewards/{}/archive", None),
]


def call(client: Any, method: str, path: str, body: Any = None) -> Any:
    return client.open(path, method=method, json=body, headers=bearer(SHOP_A))


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The answer is ``status`` in the project's JSON error shape; its ``error`` object."""
    assert response.status_code == status, (response.status_code, response.get_data()[:300])
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return dict(error)


@pytest.mark.parametrize(("method", "path", "body"), ID_ROUTES)
def test_an_id_in_the_url_that_is_no_id_is_404(client, shop_a, method, path, body):
    for not_an_id in NOT_IDS:
        response = call(client, method, path.format(not_an_id), body)
        assert_error(response, 404, "not_found")


def test_the_member_page_is_404_for_an_id_that_is_no_id(client, shop_a):
    for not_an_id in ("²", "9223372036854775808"):
        assert client.get(f"/members/{not_an_id}?shop={SHOP_A}").status_code == 404


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/members?min_balance={}", "min_balance"),
        ("/api/members?max_balance={}", "max_balance"),
        ("/api/members?limit={}", "limit"),
        ("/api/members.csv?min_balance={}", "min_balance"),
        (f"/api/members/{CUSTOMER}/audit?limit={{}}", "limit"),
        (f"/api/members/{CUSTOMER}/audit?before={{}}", "before"),
        ("/api/imports?before={}", "before"),
        ("/api/imports/1?after_line={}", "after_line"),
    ],
)
def test_a_number_in_the_query_that_is_no_number_is_422_naming_it(
    client, shop_a, add_member, path, name
):
    add_member(shop_a, CUSTOMER)
    for not_a_number in ("²", "\u0661\u0662", "1.5", "9223372036854775808", "9" * 5000, "%00"):
        error = assert_error(
            call(client, "GET", path.format(not_a_number)), 422, "validation_failed"
        )
        assert list(error["fields"]) == [name], (path, not_a_number)


def test_a_cursor_holding_numbers_past_bigint_is_422(client, shop_a, add_member):
    add_member(shop_a, CUSTOMER)
    for value, member_id in ((2**70, 1), (1, 2**70), (1, True)):
        raw = json.dumps(["points_balance", value, member_id]).encode()
        cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        response = call(client, "GET", f"/api/members?sort=points_balance&after={cursor}")
        assert list(assert_error(response, 422, "validation_failed")["fields"]) == ["after"]


def test_a_search_for_unicode_digits_is_a_search_not_an_id(client, shop_a, add_member):
    add_member(shop_a, 2, first_name="Kari")
    for text in ("²", "\u0661\u0662", "9223372036854775808", "1180591620717411303424"):
        response = call(client, "GET", f"/api/members?query={text}")
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["members"] == []
        export = call(client, "GET", f"/api/members.csv?query={text}")
        assert export.status_code == 200
        assert export.get_data(as_text=True).count("\n") == 1  # the header only


@pytest.mark.parametrize("path", ["/api/members", "/api/members.csv"])
def test_a_nul_in_the_search_is_422_naming_query_not_a_server_error(client, shop_a, path):
    """422 like every other bad parameter of the members list, not a search for nothing: the
    text cannot be anybody's name, and a caller sending it has a bug worth seeing."""
    response = call(client, "GET", f"{path}?query=kari%00")
    error = assert_error(response, 422, "validation_failed")
    assert list(error["fields"]) == ["query"]


def test_a_nul_in_any_query_parameter_is_refused_before_the_view(client, shop_a):
    error = assert_error(call(client, "GET", "/api/rewards?x%00=1"), 422, "validation_failed")
    assert list(error["fields"]) == ["x\u0000"]
    assert client.get(f"/?shop={SHOP_A}%00").status_code == 400  # a page: plain 400


# --- JSON bodies --------------------------------------------------------------------------------

WRONG_TYPES: list[Any] = [{}, [], {"a": [1]}, ["fixed_amount"], True, 1.5, 2**70, -(2**70), "²"]
UNSTORABLE = ["\u0000", "Kari\u0000", "\ud800", "a\udfff"]
JSON_BODIES = {
    ("POST", "/api/rewards"): {
        **REWARD,
        "minimum_order": "100",
        "code_lifetime_days": 30,
        "limit_per_member": 2,
        "active": True,
        "starts_at": "2026-01-01T00:00:00Z",
        "ends_at": "2027-01-01T00:00:00Z",
    },
    ("PUT", "/api/rewards/{reward}"): {**REWARD, "title": "Another title"},
    ("PUT", "/api/settings"): {
        "earn_rate": "2",
        "signup_bonus": 50,
        "welcome_discount_percent": 5,
        "expiry_months": 6,
        "auto_enrol": False,
        "pending_days": 1,
    },
    ("PUT", "/api/appearance"): {
        "accent_color": "#1f5f3f",
        "position": "left",
        "launcher_text": {"en": "Rewards"},
    },
    ("POST", "/api/backfill"): {"orders_since": 30, "award_points": True, "signup_bonus": False},
    ("POST", f"/api/members/{CUSTOMER}/adjustments"): ADJUSTMENT,
}


@pytest.fixture
def reward(client, shop_a) -> str:
    response = call(client, "POST", "/api/rewards", REWARD)
    assert response.status_code == 201
    return str(response.get_json()["id"])


@pytest.mark.parametrize(("method", "path"), sorted(JSON_BODIES))
def test_a_json_field_of_another_type_is_422_naming_it(
    client, shop_a, add_member, reward, method, path
):
    """Every field of every JSON body the admin API takes, sent each value of another type
    (an object, a list, a boolean, a fraction, a number past BIGINT, ``²``): a 422 naming the
    field when the value is wrong for it, never an exception."""
    add_member(shop_a, CUSTOMER)
    body = JSON_BODIES[(method, path)]
    for name in body:
        for value in WRONG_TYPES:
            response = call(client, method, path.format(reward=reward), {**body, name: value})
            if response.status_code in (200, 201, 202, 409):
                # A value this field takes (``true`` for a flag, ``1.5`` as a rate); 409: the
                # body was good and started a backfill, so the next one waits for it.
                continue
            error = assert_error(response, 422, "validation_failed")
            named = [f for f in error["fields"] if f == name or f.startswith(f"{name}.")]
            assert named, (name, value, error)


@pytest.mark.parametrize(("method", "path"), sorted(JSON_BODIES))
def test_text_that_cannot_be_stored_is_422_naming_the_field(
    client, rt, shop_a, add_member, reward, method, path
):
    """A NUL or a lone surrogate in any text of a body, at any depth or in a field's name:
    refused in one place (``errors.json_object_body``) before any view reads the body."""
    add_member(shop_a, CUSTOMER)
    body = JSON_BODIES[(method, path)]
    before = _stored(rt)
    for name in body:
        for text in UNSTORABLE:
            for value in (text, [text], {"nested": {"deeper": [text]}}):
                response = call(client, method, path.format(reward=reward), {**body, name: value})
                error = assert_error(response, 422, "validation_failed")
                assert list(error["fields"]) == [name], (name, value)
    for text in UNSTORABLE:
        response = call(client, method, path.format(reward=reward), {**body, text: 1})
        assert list(assert_error(response, 422, "validation_failed")["fields"]) == [text]
    assert _stored(rt) == before


def test_the_unstorable_text_message_is_in_the_admins_language(client, shop_a):
    response = client.post(
        "/api/rewards",
        json={**REWARD, "title": "\u0000"},
        headers={**bearer(SHOP_A), "Accept-Language": "nb"},
    )
    assert response.get_json()["error"]["fields"]["title"].startswith("Teksten har et tegn")


def test_a_reward_kind_that_is_an_object_or_a_list_is_422(client, shop_a):
    for kind in ({}, [], {"fixed_amount": True}, ["fixed_amount"]):
        response = call(client, "POST", "/api/rewards", {**REWARD, "kind": kind})
        error = assert_error(response, 422, "validation_failed")
        assert "kind" in error["fields"]


def test_a_time_past_what_python_holds_in_utc_is_422(client, shop_a, reward):
    for moment in ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00"):
        for method, path in (("POST", "/api/rewards"), ("PUT", f"/api/rewards/{reward}")):
            response = call(client, method, path, {**REWARD, "starts_at": moment})
            assert "starts_at" in assert_error(response, 422, "validation_failed")["fields"]


def _stored(rt: Any) -> tuple[int, int]:
    with rt.sessions() as s:
        rewards = s.scalar(select(func.count()).select_from(Reward))
        entries = s.scalar(select(func.count()).select_from(LedgerEntry))
        return int(rewards or 0), int(entries or 0)
