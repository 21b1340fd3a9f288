"""/api/rewards: create, list, edit and archive the catalogue; each bad field → 422 by name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.http import bearer
from tests.support.shops import SHOP_A

TEN_OFF = {"kind": "percentage", "title": "10 % off", "points_cost": 500, "value": "0.1"}


def post(client, body, **kwargs):
    return client.post("/api/rewards", json=body, headers=bearer(SHOP_A), **kwargs)


def test_a_created_reward_is_listed_with_every_field(client, shop_a):
    body = {
        "kind": "fixed_amount",
        "title": "50 kr off",
        "points_cost": 750,
        "value": "50.00",
        "minimum_order": "300",
        "code_lifetime_days": 30,
        "limit_per_member": 2,
        "active": True,
        "starts_at": "2026-12-01T00:00:00Z",
        "ends_at": "2026-12-31T23:00:00Z",
    }
    response = post(client, body)
    assert response.status_code == 201, response.get_json()
    reward = response.get_json()
    assert reward["id"].isdigit()
    assert reward | {"id": "x"} == {
        **body,
        "id": "x",
        "value": "50",
        "minimum_order": "300",
        "currency": "NOK",
        "starts_at": "2026-12-01T00:00:00+00:00",
        "ends_at": "2026-12-31T23:00:00+00:00",
        # Only a free product has these (tests/rewards/test_reward_kinds.py).
        "variant_id": None,
        "product_id": None,
        "product_title": None,
        "on_price_change": None,
        "paused": None,
    }
    listed = client.get("/api/rewards", headers=bearer(SHOP_A)).get_json()
    assert listed["rewards"] == [reward]
    assert "store_credit" not in listed["kinds"]  # this shop has not granted it
    assert response.headers["Cache-Control"] == "private, no-store"


def test_times_with_an_offset_are_the_same_instant(client, shop_a):
    post(client, {**TEN_OFF, "ends_at": "2027-01-01T00:00:00+01:00"})
    (reward,) = client.get("/api/rewards", headers=bearer(SHOP_A)).get_json()["rewards"]
    ends = datetime.fromisoformat(reward["ends_at"])
    assert ends == datetime(2026, 12, 31, 23, tzinfo=UTC)


def test_rewards_are_listed_cheapest_first(client, shop_a):
    for cost in (900, 100, 500):
        post(client, {"kind": "free_shipping", "title": f"Shipping {cost}", "points_cost": cost})
    costs = [
        r["points_cost"] for r in client.get("/api/rewards", headers=bearer(SHOP_A)).json["rewards"]
    ]
    assert costs == [100, 500, 900]


def test_editing_changes_only_the_fields_sent(client, shop_a):
    reward = post(client, TEN_OFF).get_json()
    response = client.put(
        f"/api/rewards/{reward['id']}",
        json={"title": "15 % off", "value": "0.15"},
        headers=bearer(SHOP_A),
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {**reward, "title": "15 % off", "value": "0.15"}


def test_archiving_deactivates_and_put_brings_it_back(client, shop_a):
    reward = post(client, TEN_OFF).get_json()
    archived = client.post(f"/api/rewards/{reward['id']}/archive", headers=bearer(SHOP_A))
    assert archived.status_code == 200
    assert archived.get_json()["active"] is False
    back = client.put(f"/api/rewards/{reward['id']}", json={"active": True}, headers=bearer(SHOP_A))
    assert back.get_json()["active"] is True


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "gift"),
        ("kind", None),
        ("title", ""),
        ("title", "   "),
        ("title", "x" * 256),
        ("title", 5),
        ("points_cost", 0),
        ("points_cost", -5),
        ("points_cost", 10_000_001),
        ("points_cost", "500"),
        ("points_cost", 1.5),
        ("points_cost", True),
        ("value", "0"),
        ("value", "1.5"),
        ("value", "ten"),
        ("value", None),
        ("minimum_order", "-1"),
        ("minimum_order", "abc"),
        ("minimum_order", "1.00001"),
        ("code_lifetime_days", 0),
        ("code_lifetime_days", 3651),
        ("limit_per_member", 0),
        ("limit_per_member", "2"),
        ("active", "yes"),
        ("starts_at", "tomorrow"),
        ("ends_at", "2026-13-01"),
        ("colour", "red"),
    ],
)
def test_each_bad_field_is_named_and_nothing_is_stored(client, shop_a, field, value):
    response = post(client, {**TEN_OFF, field: value})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert list(error["fields"]) == [field]
    assert error["fields"][field]
    assert client.get("/api/rewards", headers=bearer(SHOP_A)).get_json()["rewards"] == []


def test_every_bad_field_is_reported_at_once(client, shop_a):
    response = post(client, {"kind": "percentage", "title": "", "points_cost": 0})
    assert set(response.get_json()["error"]["fields"]) == {"title", "points_cost", "value"}


def test_free_shipping_has_no_value_and_an_end_must_follow_the_start(client, shop_a):
    shipping = {"kind": "free_shipping", "title": "Free shipping", "points_cost": 100}
    assert post(client, {**shipping, "value": "10"}).get_json()["error"]["fields"] == {
        "value": "Free shipping has no value; send null."
    }
    dates = {"starts_at": "2026-12-02T00:00:00Z", "ends_at": "2026-12-01T00:00:00Z"}
    assert list(post(client, {**shipping, **dates}).get_json()["error"]["fields"]) == ["ends_at"]


def test_an_edit_is_checked_against_the_stored_fields(client, shop_a):
    reward = post(client, TEN_OFF).get_json()
    response = client.put(
        f"/api/rewards/{reward['id']}", json={"value": "2"}, headers=bearer(SHOP_A)
    )
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["value"]
    assert client.get("/api/rewards", headers=bearer(SHOP_A)).get_json()["rewards"] == [reward]


@pytest.mark.parametrize("reward_id", ["999", "abc", "1" * 30, "-1"])
def test_unknown_rewards_are_404(client, shop_a, reward_id):
    headers = bearer(SHOP_A)
    assert client.put(f"/api/rewards/{reward_id}", json={}, headers=headers).status_code == 404
    assert client.post(f"/api/rewards/{reward_id}/archive", headers=headers).status_code == 404


def test_a_body_that_is_not_a_json_object_is_refused(client, shop_a):
    headers = bearer(SHOP_A)
    assert client.post("/api/rewards", data="x", headers=headers).status_code == 415
    bad_json = client.post(
        "/api/rewards", data="{", headers={**headers, "Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400
    assert client.post("/api/rewards", json=[1], headers=headers).status_code == 400
