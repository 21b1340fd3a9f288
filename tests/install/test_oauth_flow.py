"""The authorization code grant: /auth/install → Shopify's grant page → /auth/callback."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from loyalty.core.config import DEMO_API_KEY, DEMO_API_SECRET
from loyalty.shopify.signatures import oauth_signature
from tests.support.shopify import token_grants
from tests.support.shops import SHOP, stored_shop

OTHER = "other-shop.myshopify.com"


def start_install(client, shop=SHOP):
    """GET /auth/install; returns the authorize URL it redirects to."""
    response = client.get("/auth/install", query_string={"shop": shop})
    assert response.status_code == 302
    return response.headers["Location"]


def approve(authorize_url):
    """The merchant approves on the (fake) Shopify grant page: the callback's query."""
    response = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    return dict(parse_qsl(urlsplit(response.headers["Location"]).query))


def signed(params, secret=DEMO_API_SECRET):
    """``params`` with a fresh ``hmac`` over them, as Shopify would sign them."""
    unsigned = {k: v for k, v in params.items() if k != "hmac"}
    return {**unsigned, "hmac": oauth_signature(unsigned, secret)}


@pytest.fixture
def callback_params(client, fake_shopify, fake_shop):
    """A genuine callback query for SHOP (state issued by the app, code by the fake)."""
    return approve(start_install(client))


@pytest.mark.embedded
def test_install_redirects_to_shopifys_grant_page_with_scopes_and_a_state(client, config):
    location = start_install(client)
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        f"{config.shop_origin(SHOP)}/admin/oauth/authorize"
    )
    query = dict(parse_qsl(parts.query))
    assert query["client_id"] == DEMO_API_KEY
    assert query["scope"] == ",".join(config.app_toml.scopes)
    assert query["redirect_uri"] == f"{config.app_url}/auth/callback"
    assert len(query["state"]) >= 32


@pytest.mark.embedded
def test_the_whole_flow_installs_the_shop_and_opens_the_embedded_admin(
    client, rt, config, fake_shopify, fake_shop, cipher
):
    params = approve(start_install(client))
    response = client.get("/auth/callback", query_string=params)

    assert response.status_code == 302
    assert response.headers["Location"] == f"{config.shop_origin(SHOP)}/admin/apps/{DEMO_API_KEY}"
    (grant,) = token_grants(fake_shopify)
    assert grant["grant_type"] == "authorization_code" and grant["expiring"] == "1"
    row = stored_shop(rt)
    assert row.is_installed
    assert cipher.decrypt(row.access_token_encrypted) == grant["access_token"]
    assert cipher.decrypt(row.refresh_token_encrypted) == grant["refresh_token"]
    # The embedded admin the app redirects to is really served by the fake.
    assert requests.get(response.headers["Location"], timeout=5).status_code == 200


@pytest.mark.parametrize(
    "shop",
    [
        "",
        "evil.example.com",
        "klubb-test.myshopify.com.evil.com",
        "klubb-test.myshopify.com/admin",
        "klubb-test.myshopify.com:443",
        "https://klubb-test.myshopify.com",
        "//klubb-test.myshopify.com",
        "Klubb-Test.myshopify.com",
        "-klubb.myshopify.com",
        "klubb-test",
        "klubb-test.myshopify.com?x=1",
        " klubb-test.myshopify.com",
        "k" * 64 + ".myshopify.com",
    ],
)
def test_install_refuses_anything_but_a_myshopify_domain(client, rt, shop):
    response = client.get("/auth/install", query_string={"shop": shop})
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert response.mimetype == "text/html"
    assert rt.redis.keys("klubb:oauth-state:*") == []


def test_install_without_a_shop_is_refused(client):
    response = client.get("/auth/install")
    assert response.status_code == 400 and "Location" not in response.headers


def assert_refused(client, rt, fake_shopify, params, status):
    response = client.get("/auth/callback", query_string=params)
    assert response.status_code == status
    assert "Location" not in response.headers
    assert response.mimetype == "text/html"
    assert token_grants(fake_shopify) == []
    assert stored_shop(rt) is None
    return response


def test_a_callback_with_a_wrong_hmac_is_refused(client, rt, fake_shopify, callback_params):
    assert_refused(client, rt, fake_shopify, {**callback_params, "hmac": "0" * 64}, 400)


def test_a_callback_signed_with_another_secret_is_refused(
    client, rt, fake_shopify, callback_params
):
    assert_refused(client, rt, fake_shopify, signed(callback_params, "another-secret"), 400)


def test_a_callback_with_a_changed_parameter_is_refused(client, rt, fake_shopify, callback_params):
    assert_refused(client, rt, fake_shopify, {**callback_params, "code": "f" * 32}, 400)


def test_a_callback_without_hmac_is_refused(client, rt, fake_shopify, callback_params):
    params = {k: v for k, v in callback_params.items() if k != "hmac"}
    assert_refused(client, rt, fake_shopify, params, 400)


@pytest.mark.parametrize("age", [91, -91, 86_400])
def test_a_callback_with_a_stale_timestamp_is_refused(
    client, rt, fake_shopify, callback_params, age
):
    params = signed({**callback_params, "timestamp": str(int(time.time()) - age)})
    assert_refused(client, rt, fake_shopify, params, 400)


def test_a_callback_without_code_is_refused(client, rt, fake_shopify, callback_params):
    params = signed({k: v for k, v in callback_params.items() if k != "code"})
    assert_refused(client, rt, fake_shopify, params, 400)


def test_a_callback_with_a_bad_shop_domain_is_refused(client, rt, fake_shopify, callback_params):
    params = signed({**callback_params, "shop": "evil.example.com"})
    assert_refused(client, rt, fake_shopify, params, 400)


def test_a_callback_with_an_unknown_state_is_refused(client, rt, fake_shopify, callback_params):
    assert_refused(client, rt, fake_shopify, signed({**callback_params, "state": "made-up"}), 403)


def test_a_callback_without_state_is_refused(client, rt, fake_shopify, callback_params):
    params = signed({k: v for k, v in callback_params.items() if k != "state"})
    assert_refused(client, rt, fake_shopify, params, 403)


def test_a_callback_for_another_shop_than_the_states_is_refused(
    client, rt, fake_shopify, callback_params
):
    fake_shopify.add_shop(OTHER)
    other_params = approve(start_install(client, OTHER))
    # OTHER's genuine code, signed by Shopify, but carrying the state issued for SHOP.
    params = signed({**other_params, "state": callback_params["state"]})
    assert_refused(client, rt, fake_shopify, params, 403)
    assert stored_shop(rt, OTHER) is None


def test_a_state_is_consumed_by_its_first_use(client, rt, fake_shopify, callback_params):
    assert client.get("/auth/callback", query_string=callback_params).status_code == 302
    replay = client.get("/auth/callback", query_string=callback_params)
    assert replay.status_code == 403
    assert len(token_grants(fake_shopify)) == 1


def test_a_state_expires(client, rt, fake_shopify, callback_params):
    rt.redis.delete(f"klubb:oauth-state:{callback_params['state']}")  # what the TTL does
    assert_refused(client, rt, fake_shopify, callback_params, 403)


def test_a_token_endpoint_error_shows_a_clear_page_and_stores_nothing(
    client, rt, fake_shopify, callback_params
):
    fake_shopify.fail_next_token_request(500)
    response = client.get("/auth/callback", query_string=callback_params)
    assert response.status_code == 502
    assert "Nothing was installed" in response.get_data(as_text=True)
    assert stored_shop(rt) is None


def test_a_used_code_shows_a_clear_page_and_stores_nothing(
    client, rt, fake_shopify, fake_shop, callback_params
):
    with fake_shopify.lock:
        fake_shop.auth_codes[callback_params["code"]].used = True
    response = client.get("/auth/callback", query_string=callback_params)
    assert response.status_code == 502
    assert stored_shop(rt) is None


def test_a_token_endpoint_timeout_shows_a_clear_page_and_stores_nothing(
    app, client, rt, config, fake_shopify, callback_params
):
    from loyalty.shopify.client import ShopifyClient

    app.extensions["klubb"].shopify_client = ShopifyClient(
        config.with_overrides(shopify_timeout=0.3)
    )
    fake_shopify.fail_next_token_request(status=None, delay=1.0)
    response = client.get("/auth/callback", query_string=callback_params)
    assert response.status_code == 504
    assert "did not answer in time" in response.get_data(as_text=True)
    assert stored_shop(rt) is None


def test_install_pages_are_never_cached(client):
    assert client.get("/auth/install", query_string={"shop": SHOP}).headers["Cache-Control"] == (
        "no-store"
    )
