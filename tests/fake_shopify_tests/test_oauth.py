"""The fake Shopify's HMAC helpers and authorization code grant, as strict as Shopify's."""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl, urlsplit

import requests

from devtools.fake_shopify import FakeShopify, query_hmac
from tests.fake_shopify_tests.helpers import KEY, SECRET, SHOP, independent_hmac, token_post

# ---------------------------------------------------------------------------------------
# HMAC helpers


def test_query_hmac_matches_shopify_test_vector() -> None:
    params = {
        "code": "0907a61c0c8d55e99db179b68161bc00",
        "shop": "some-shop.myshopify.com",
        "timestamp": "1337178173",
    }
    assert query_hmac(params, "hush") == (
        "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20"
    )


# ---------------------------------------------------------------------------------------
# Authorization code grant


def authorize(fake: FakeShopify, **params: str) -> requests.Response:
    query = {
        "client_id": KEY,
        "scope": "read_customers,write_discounts",
        "redirect_uri": "http://127.0.0.1:5999/auth/callback",
        "state": "n0nce",
        **params,
    }
    return requests.get(fake.authorize_url(SHOP), params=query, allow_redirects=False, timeout=5)


def test_authorize_redirects_with_signed_callback_and_code_is_single_use(fake: FakeShopify) -> None:
    response = authorize(fake)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "http://127.0.0.1:5999/auth/callback"
    )
    params = dict(parse_qsl(location.query))
    assert set(params) == {"code", "hmac", "host", "shop", "state", "timestamp"}
    assert params["hmac"] == independent_hmac(params, SECRET)
    assert base64.b64decode(params["host"] + "==").decode() == "admin.shopify.com/store/demo-shop"
    assert not params["host"].endswith("=")
    assert params["shop"] == SHOP and params["state"] == "n0nce"
    assert not fake.shops[SHOP].installed

    first = token_post(fake, code=params["code"])
    assert first.status_code == 200
    assert set(first.json()) == {"access_token", "scope"}  # no expiring=1: non-expiring
    assert fake.shops[SHOP].installed
    reused = token_post(fake, code=params["code"])
    assert reused.status_code == 400
    assert reused.json() == {
        "error": "invalid_request",
        "error_description": "The authorization code was not found or was already used",
    }
    assert [r["ok"] for r in fake.token_requests] == [True, False]


def test_authorize_refuses_bad_client_redirect_and_scope(fake: FakeShopify) -> None:
    assert authorize(fake, client_id="nope").status_code == 400
    assert "Could not find Shopify API application" in authorize(fake, client_id="nope").text
    assert authorize(fake, redirect_uri="https://evil.example/cb").status_code == 400
    refused = authorize(fake, scope="read_customers,write_products")
    assert refused.status_code == 400 and "write_products" in refused.text


def test_code_exchange_form_encoded_expiring_and_code_expiry(fake: FakeShopify) -> None:
    code = dict(parse_qsl(urlsplit(authorize(fake).headers["Location"]).query))["code"]
    body = token_post(fake, form=True, code=code, expiring="1").json()
    assert set(body) == {
        "access_token",
        "expires_in",
        "refresh_token",
        "refresh_token_expires_in",
        "scope",
    }
    assert body["expires_in"] == 3600 and body["refresh_token_expires_in"] == 7776000
    late = dict(parse_qsl(urlsplit(authorize(fake).headers["Location"]).query))["code"]
    fake.advance(61)
    assert token_post(fake, code=late).status_code == 400


def test_wrong_secret_is_refused_without_consuming_the_code(fake: FakeShopify) -> None:
    code = dict(parse_qsl(urlsplit(authorize(fake).headers["Location"]).query))["code"]
    wrong = token_post(fake, code=code, client_secret="not-the-secret")
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_client"
    assert token_post(fake, code=code).status_code == 200
