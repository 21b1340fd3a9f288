"""/api calls are authenticated by App Bridge session tokens (SHOPIFY.md §2, DESIGN invariant 7)."""

from __future__ import annotations

import time

import pytest

from tests.support.http import bearer, session_token
from tests.support.shops import SHOP_A, SHOP_B

RETRY = "X-Shopify-Retry-Invalid-Session-Request"


def assert_unauthorized(response) -> None:
    assert response.status_code == 401
    assert response.headers[RETRY] == "1"
    error = response.get_json()["error"]
    assert error["code"] and error["message"]


@pytest.mark.embedded
def test_a_valid_token_of_an_installed_shop_reads_its_settings(client, shop_a):
    response = client.get("/api/settings", headers=bearer(SHOP_A))
    assert response.status_code == 200
    assert response.get_json()["earn_rate"] == "1"
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Token " + "x" * 20,
    ],
    ids=[
        "no-header",
        "empty",
        "bearer-only",
        "bearer-space",
        "basic",
        "garbage",
        "bad-jwt",
        "scheme",
    ],
)
def test_a_missing_or_malformed_header_is_401(client, shop_a, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    assert_unauthorized(client.get("/api/settings", headers=headers))


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"exp": int(time.time()) - 30}, id="expired"),
        pytest.param({"nbf": int(time.time()) + 3600}, id="nbf-far-future"),
        pytest.param({"secret": "another-apps-secret-0123456789abcdef"}, id="other-secret"),
        pytest.param({"aud": "another-api-key"}, id="other-audience"),
        pytest.param({"iss": f"https://{SHOP_B}/admin"}, id="iss-not-dest"),
        pytest.param(
            {"dest": "https://evil.example.com", "iss": "https://evil.example.com/admin"},
            id="dest-not-a-shop",
        ),
        pytest.param({"dest": None}, id="no-dest"),
        pytest.param({"exp": None}, id="no-exp"),
    ],
)
def test_a_token_that_fails_verification_is_401(client, shop_a, overrides):
    assert_unauthorized(client.get("/api/settings", headers=bearer(SHOP_A, **overrides)))


def test_a_token_signed_with_none_algorithm_is_401(client, shop_a):
    import jwt

    claims = jwt.decode(session_token(SHOP_A), options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    assert_unauthorized(
        client.get("/api/settings", headers={"Authorization": f"Bearer {unsigned}"})
    )


def test_a_shop_that_never_installed_is_401(client, installed_shop):
    installed_shop(SHOP_A, installed=False)
    assert_unauthorized(client.get("/api/settings", headers=bearer(SHOP_A)))


def test_an_unknown_shop_is_401(client):
    assert_unauthorized(client.get("/api/shop", headers=bearer("nobody.myshopify.com")))


@pytest.mark.embedded
def test_an_uninstalled_shop_is_401(client, installed_shop):
    installed_shop(SHOP_A, uninstalled=True)
    assert_unauthorized(client.get("/api/settings", headers=bearer(SHOP_A)))
    assert_unauthorized(
        client.put("/api/settings", json={"signup_bonus": 5}, headers=bearer(SHOP_A))
    )


def test_every_api_route_but_the_documents_requires_a_token(app, client, shop_a):
    """No /api rule is reachable without a token, whatever is added later: only the public
    OpenAPI documents (the admin's and the proxy's) are."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule.startswith("/api/openapi"):
            continue
        path = rule.rule.replace("<", "").replace(">", "")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(path, method=method, json={})
            assert response.status_code == 401, (method, rule.rule)
            assert response.headers[RETRY] == "1"


@pytest.mark.embedded
def test_shop_a_cannot_read_or_write_shop_b(client, rt, shop_a, shop_b):
    """The token decides the shop; nothing in the request can point at another one."""
    from loyalty.core.models import ProgramSettings

    read = client.get("/api/settings?shop=" + SHOP_B, headers=bearer(SHOP_A))
    assert read.get_json()["earn_rate"] == "1"  # shop A's, not shop B's 3
    write = client.put(
        f"/api/settings?shop_id={shop_b}",
        json={"earn_rate": "7"},
        headers={**bearer(SHOP_A), "X-Shopify-Shop-Domain": SHOP_B},
    )
    assert write.status_code == 200
    with rt.sessions() as s:
        assert str(s.get(ProgramSettings, shop_b).earn_rate.normalize()) == "3"
        assert str(s.get(ProgramSettings, shop_a).earn_rate.normalize()) == "7"
    shop = client.get("/api/shop", headers=bearer(SHOP_B)).get_json()
    assert shop["domain"] == SHOP_B
    assert client.get("/api/settings", headers=bearer(SHOP_B)).get_json()["earn_rate"] == "3"


def test_the_shop_endpoint_describes_the_authenticated_shop(client, shop_a):
    body = client.get("/api/shop", headers=bearer(SHOP_A)).get_json()
    assert body["domain"] == SHOP_A
    assert body["name"] == "Alpha"
    assert (body["currency"], body["locale"]) == ("NOK", "nb")
    assert body["installed_at"].endswith("+00:00")


def test_the_previous_secret_is_accepted_during_a_rotation(app, client, shop_a):
    from runtime import current_runtime

    with app.app_context():
        rt = current_runtime()
        rt.config = rt.config.with_overrides(
            shopify_api_secret_previous="the-old-secret-0123456789abcdef0123"
        )
    response = client.get(
        "/api/settings", headers=bearer(SHOP_A, secret="the-old-secret-0123456789abcdef0123")
    )
    assert response.status_code == 200
