"""The embedded admin's documents: entry, install on first load, redirects, CSP (SHOPIFY.md §3)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from loyalty.core.config import DEMO_API_KEY
from loyalty.core.models import ProgramSettings, Shop
from tests.support.http import session_token
from tests.support.shops import SHOP_A

RETRY = "X-Shopify-Retry-Invalid-Session-Request"
HOST = "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWxwaGE"


def embedded_url(path="/", **params):
    query = {"embedded": "1", "shop": SHOP_A, "host": HOST, **params}
    return f"{path}?{urlencode({k: v for k, v in query.items() if v is not None})}"


@pytest.mark.embedded
def test_the_first_embedded_load_exchanges_the_token_and_renders_the_shell(
    client, rt, fake_shopify
):
    fake_shopify.add_shop(SHOP_A, name="Alpha", currency="NOK", locale="nb", installed=True)
    response = client.get(embedded_url(id_token=fake_shopify.session_token(SHOP_A)))
    assert response.status_code == 200
    assert len(fake_shopify.token_requests) == 1
    with rt.sessions() as s:
        shop = s.query(Shop).filter_by(domain=SHOP_A).one()
        assert shop.is_installed
        assert s.get(ProgramSettings, shop.id) is not None
    html = response.get_data(as_text=True)
    assert "<s-app-nav>" in html
    assert 'href="/settings"' in html


def test_a_second_load_with_a_usable_token_does_not_exchange_again(client, fake_shopify):
    fake_shopify.add_shop(SHOP_A, installed=True)
    client.get(embedded_url(id_token=fake_shopify.session_token(SHOP_A)))
    response = client.get(embedded_url("/settings", id_token=fake_shopify.session_token(SHOP_A)))
    assert response.status_code == 200
    assert len(fake_shopify.token_requests) == 1


@pytest.mark.embedded
@pytest.mark.parametrize(
    "token_kwargs",
    [
        pytest.param({"exp_in": -60}, id="expired"),
        pytest.param({"secret": "not-the-apps-secret-0123456789abcdef"}, id="other-secret"),
        pytest.param({"aud": "another-app"}, id="other-audience"),
        pytest.param({"nbf_offset": 3600}, id="nbf-far-future"),
        pytest.param({"iss": "https://bravo.myshopify.com/admin"}, id="iss-not-dest"),
    ],
)
def test_a_bad_id_token_is_401_and_nothing_is_exchanged(client, rt, fake_shopify, token_kwargs):
    fake_shopify.add_shop(SHOP_A, installed=True)
    response = client.get(embedded_url(id_token=fake_shopify.session_token(SHOP_A, **token_kwargs)))
    assert response.status_code == 401
    assert response.headers[RETRY] == "1"
    assert fake_shopify.token_requests == []
    with rt.sessions() as s:
        assert s.query(Shop).count() == 0


def test_a_garbage_id_token_is_401(client, fake_shopify):
    response = client.get(embedded_url(id_token="not.a.jwt"))
    assert response.status_code == 401
    assert response.headers[RETRY] == "1"
    assert fake_shopify.token_requests == []


def test_an_id_token_for_another_shop_is_401(client, fake_shopify):
    fake_shopify.add_shop("bravo.myshopify.com", installed=True)
    token = fake_shopify.session_token("bravo.myshopify.com")
    response = client.get(embedded_url(id_token=token))
    assert response.status_code == 401
    assert fake_shopify.token_requests == []


def test_in_app_navigation_without_id_token_renders_the_shell(client):
    response = client.get(embedded_url("/settings"))
    assert response.status_code == 200
    assert 'id="settings-form"' in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/settings"])
def test_a_page_opened_outside_the_admin_redirects_into_it(client, config, path):
    response = client.get(f"{path}?shop={SHOP_A}&host={HOST}")
    assert response.status_code == 302
    suffix = "" if path == "/" else path
    expected = f"{config.shop_origin(SHOP_A)}/admin/apps/{DEMO_API_KEY}{suffix}"
    assert response.headers["Location"] == expected


def test_without_a_shop_the_public_landing_page_has_no_shop_form(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Klubb" in html
    assert "<form" not in html and "<input" not in html
    assert "app-bridge.js" not in html


@pytest.mark.parametrize(
    "shop",
    [
        "evil.com",
        "alpha.myshopify.com.evil.com",
        "ALPHA.myshopify.com",
        "https://alpha.myshopify.com",
        "alpha.myshopify.com/admin",
        "<script>.myshopify.com",
        "-alpha.myshopify.com",
    ],
)
def test_an_invalid_shop_domain_is_400(client, shop):
    for path in ("/", "/settings"):
        response = client.get(path + "?" + urlencode({"shop": shop, "embedded": "1"}))
        assert response.status_code == 400
        assert "<script>" not in response.get_data(as_text=True)
        response = client.get(path + "?" + urlencode({"shop": shop}))
        assert response.status_code == 400


def test_embedded_documents_may_be_framed_only_by_the_shops_admin(client, config, fake_shopify):
    fake_origin = re.match(r"https?://[^/]+", config.shop_origin(SHOP_A)).group(0)
    fake_shopify.add_shop(SHOP_A, installed=True)
    for url in (
        embedded_url(),
        embedded_url("/settings"),
        embedded_url(id_token=fake_shopify.session_token(SHOP_A)),
        embedded_url(id_token="bad"),
    ):
        csp = client.get(url).headers["Content-Security-Policy"]
        assert csp == (
            f"frame-ancestors https://{SHOP_A} https://admin.shopify.com {fake_origin};"
        ), url


def test_in_production_the_csp_names_only_the_shop_and_the_admin(app, client):
    from runtime import current_runtime

    with app.app_context():
        rt = current_runtime()
        rt.config = rt.config.with_overrides(shop_url_template="https://{shop}")
    csp = client.get(embedded_url()).headers["Content-Security-Policy"]
    assert csp == f"frame-ancestors https://{SHOP_A} https://admin.shopify.com;"


def test_the_landing_page_may_not_be_framed(client):
    assert client.get("/").headers["Content-Security-Policy"] == "frame-ancestors 'none';"


def test_app_bridge_is_the_first_script_then_polaris(client, config):
    html = client.get(embedded_url()).get_data(as_text=True)
    head = html.split("<head>", 1)[1].split("</head>", 1)[0]
    scripts = re.findall(r"<script[^>]*>", head)
    assert scripts[0] == (
        f'<script src="{config.shopify_cdn_url}/shopifycloud/app-bridge.js" '
        f'data-api-key="{DEMO_API_KEY}">'
    )
    assert scripts[1] == f'<script src="{config.shopify_cdn_url}/shopifycloud/polaris.js">'
    assert head.strip().startswith("<script")


def test_documents_hold_no_shop_data_and_links_keep_the_embedded_context(client, shop_a):
    html = client.get(embedded_url(id_token=None)).get_data(as_text=True)
    assert "Alpha" not in html  # the shop's name comes from /api, not the document
    assert f"/settings?embedded=1&amp;shop={SHOP_A}&amp;host={HOST}" in html


def test_the_id_token_is_never_written_into_the_page(client, fake_shopify):
    fake_shopify.add_shop(SHOP_A, installed=True)
    token = fake_shopify.session_token(SHOP_A)
    html = client.get(embedded_url(id_token=token)).get_data(as_text=True)
    assert token not in html


def test_shopify_unreachable_during_the_exchange_is_a_502_page(app, client, rt):
    """The merchant sees a short page, never a stack trace, and nothing is installed."""
    rt.config = rt.config.with_overrides(shop_url_template="http://127.0.0.1:1/{shop}")
    response = client.get(embedded_url(id_token=session_token(SHOP_A)))
    assert response.status_code == 502
    html = response.get_data(as_text=True)
    assert "Traceback" not in html and "Could not connect to Shopify" in html
    with rt.sessions() as s:
        assert s.query(Shop).filter(Shop.installed_at.is_not(None)).count() == 0


def test_the_static_script_is_served(client):
    response = client.get("/admin/static/admin.js")
    assert response.status_code == 200
    assert "fetch(" in response.get_data(as_text=True)


def test_session_token_helper_matches_the_fake(fake_shopify):
    """Our own token helper and the fake's agree on the claims App Bridge sends."""
    import jwt

    ours = jwt.decode(session_token(SHOP_A), options={"verify_signature": False})
    fakes = jwt.decode(fake_shopify.session_token(SHOP_A), options={"verify_signature": False})
    assert set(ours) <= set(fakes) | {"jti", "sid"}
    assert ours["aud"] == fakes["aud"] and ours["dest"] == fakes["dest"]
