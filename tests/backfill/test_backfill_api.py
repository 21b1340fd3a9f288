"""``/api/backfill``: documented, validated per field, authenticated, scoped to the shop."""

from __future__ import annotations

import time

import pytest

from tests.support.http import bearer
from tests.support.shops import SHOP

OTHER = "other-shop.myshopify.com"


def test_both_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert set(paths["/api/backfill"]) == {"get", "post"}
    assert "422" in paths["/api/backfill"]["post"]["responses"]
    assert "409" in paths["/api/backfill"]["post"]["responses"]


def test_before_any_run_the_status_is_none(api, shop_id):
    assert api("GET", "/api/backfill").get_json()["status"] == "none"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"orders_since": 0}, {"orders_since"}),
        ({"orders_since": "some"}, {"orders_since"}),
        ({"orders_since": 36501}, {"orders_since"}),
        ({"orders_since": True}, {"orders_since"}),
        ({"award_points": "yes"}, {"award_points"}),
        ({"signup_bonus": 1}, {"signup_bonus"}),
        ({"everything": True, "award_points": None}, {"everything", "award_points"}),
    ],
)
def test_invalid_options_are_422_per_field_and_start_nothing(api, shop_id, body, fields):
    response = api("POST", "/api/backfill", json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == fields
    assert api("GET", "/api/backfill").get_json()["status"] == "none"


def test_a_body_that_is_not_an_object_is_400(client, shop_id):
    response = client.post(
        "/api/backfill", data="[1]", content_type="application/json", headers=bearer(SHOP)
    )
    assert response.status_code == 400


def test_a_second_start_while_one_runs_is_409(api, shop_id):
    assert api("POST", "/api/backfill", json={}).status_code == 202
    response = api("POST", "/api/backfill", json={"award_points": True})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "backfill_running"
    assert api("GET", "/api/backfill").get_json()["options"]["award_points"] is False


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_missing_token_is_401(client, shop_id, method):
    response = client.open("/api/backfill", method=method, json={})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "missing_session_token"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_expired_token_is_401(client, shop_id, method):
    past = int(time.time()) - 300
    headers = bearer(SHOP, exp=past, nbf=past - 60, iat=past - 60)
    response = client.open("/api/backfill", method=method, json={}, headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_shop_that_has_not_installed_is_401(client, shop_id, method):
    response = client.open("/api/backfill", method=method, json={}, headers=bearer(OTHER))
    assert response.status_code == 401


def test_another_shop_neither_sees_nor_starts_this_shops_backfill(api, installed_shop, shop_id):
    installed_shop(OTHER)
    assert api("POST", "/api/backfill", json={}).status_code == 202
    assert api("GET", "/api/backfill", shop=OTHER).get_json()["status"] == "none"
    assert api("POST", "/api/backfill", json={}, shop=OTHER).status_code == 202
    assert api("GET", "/api/backfill").get_json()["run"] == 1


def test_a_run_without_progress_for_30_minutes_shows_as_failed_and_can_be_restarted(
    api, rt, shop_id
):
    from datetime import timedelta

    from loyalty.core.models import Backfill
    from loyalty.core.types import utcnow

    assert api("POST", "/api/backfill", json={}).status_code == 202  # its jobs never run
    with rt.sessions.begin() as s:
        s.get(Backfill, shop_id).updated_at = utcnow() - timedelta(minutes=31)

    state = api("GET", "/api/backfill").get_json()
    assert state["status"] == "failed"
    assert "start the backfill again" in state["error"]
    assert api("POST", "/api/backfill", json={}).status_code == 202
    assert api("GET", "/api/backfill").get_json()["status"] == "queued"
