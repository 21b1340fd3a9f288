"""Every Rewards and Members route: no token, an expired one, another shop's → 401 or nothing."""

from __future__ import annotations

import time

import pytest

from tests.support.http import bearer
from tests.support.shops import SHOP_A, SHOP_B

ROUTES = [
    ("GET", "/api/rewards"),
    ("POST", "/api/rewards"),
    ("PUT", "/api/rewards/1"),
    ("POST", "/api/rewards/1/archive"),
    ("GET", "/api/members"),
    ("GET", "/api/members.csv"),
    ("GET", "/api/members/7/profile"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_missing_token_is_401_with_the_retry_header(client, shop_a, method, path):
    response = client.open(path, method=method, json={})
    assert response.status_code == 401
    assert response.headers["X-Shopify-Retry-Invalid-Session-Request"] == "1"
    assert response.get_json()["error"]["code"] == "missing_session_token"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_an_expired_token_is_401(client, shop_a, method, path):
    past = int(time.time()) - 300
    headers = bearer(SHOP_A, exp=past, nbf=past - 60, iat=past - 60)
    response = client.open(path, method=method, json={}, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_session_token"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_token_signed_with_another_secret_is_401(client, shop_a, method, path):
    response = client.open(path, method=method, json={}, headers=bearer(SHOP_A, secret="x" * 32))
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_token_of_a_shop_that_has_not_installed_is_401(client, shop_a, method, path):
    response = client.open(path, method=method, json={}, headers=bearer("other.myshopify.com"))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "shop_not_installed"


def test_a_shop_never_sees_or_changes_another_shops_rewards(client, shop_a, shop_b):
    created = client.post(
        "/api/rewards",
        json={"kind": "free_shipping", "title": "Bravo's shipping", "points_cost": 100},
        headers=bearer(SHOP_B),
    ).get_json()
    reward = created["id"]
    assert client.get("/api/rewards", headers=bearer(SHOP_A)).get_json()["rewards"] == []
    changed = client.put(f"/api/rewards/{reward}", json={"title": "Mine"}, headers=bearer(SHOP_A))
    assert changed.status_code == 404
    archived = client.post(f"/api/rewards/{reward}/archive", headers=bearer(SHOP_A))
    assert archived.status_code == 404
    (only,) = client.get("/api/rewards", headers=bearer(SHOP_B)).get_json()["rewards"]
    assert (only["title"], only["active"]) == ("Bravo's shipping", True)


def test_a_shop_never_finds_or_exports_another_shops_members(client, shop_a, shop_b, add_member):
    add_member(shop_b, 900, first_name="Bente", email="bente@example.com")
    add_member(shop_a, 100, first_name="Anna", email="anna@example.com")
    page = client.get("/api/members?query=bente", headers=bearer(SHOP_A)).get_json()
    assert page == {"members": [], "next": None}
    everyone = client.get("/api/members", headers=bearer(SHOP_A)).get_json()["members"]
    assert [m["customer_id"] for m in everyone] == ["100"]
    csv_text = client.get("/api/members.csv", headers=bearer(SHOP_A)).get_data(as_text=True)
    assert "anna@example.com" in csv_text and "bente" not in csv_text
    assert client.get("/api/members/900/profile", headers=bearer(SHOP_A)).status_code == 404
    assert client.get("/api/members/900/profile", headers=bearer(SHOP_B)).status_code == 200
