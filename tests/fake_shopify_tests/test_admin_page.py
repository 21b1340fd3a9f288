"""The fake Shopify's admin page and CDN stand-ins, and App Bridge in Chromium."""

from __future__ import annotations

import threading
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from devtools.fake_shopify import FakeShopify
from tests.fake_shopify_tests.helpers import KEY, SECRET, SHOP, exchange, independent_hmac

# ---------------------------------------------------------------------------------------
# Admin page and CDN stand-ins


class _FrameFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.src: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "iframe":
            self.src = dict(attrs).get("src")


def test_admin_page_installs_and_frames_app_with_verifiable_hmac(fake: FakeShopify) -> None:
    page = requests.get(fake.admin_app_url(SHOP, "/rewards") + "?tab=history", timeout=5)
    assert page.status_code == 200 and "Demo" in page.text
    assert fake.shops[SHOP].installed
    finder = _FrameFinder()
    finder.feed(page.text)
    assert finder.src is not None
    src = urlsplit(finder.src)
    assert f"{src.scheme}://{src.netloc}{src.path}" == "http://127.0.0.1:5999/rewards"
    params = dict(parse_qsl(src.query))
    assert set(params) == {
        "embedded",
        "hmac",
        "host",
        "id_token",
        "locale",
        "session",
        "shop",
        "tab",
        "timestamp",
    }
    assert params["hmac"] == independent_hmac(params, SECRET)
    assert params["embedded"] == "1" and params["locale"] == "nb" and params["shop"] == SHOP
    claims = jwt.decode(params["id_token"], SECRET, algorithms=["HS256"], audience=KEY)
    assert claims["dest"] == f"https://{SHOP}" and claims["iss"] == f"https://{SHOP}/admin"
    # The session token in the frame is good for token exchange.
    assert exchange(fake, subject_token=params["id_token"]).status_code == 200


def test_admin_page_opens_the_app_in_the_language_of_its_own_locale_parameter(
    fake: FakeShopify,
) -> None:
    """``?locale=en`` on the admin URL overrides the shop's locale (nb) in the signed frame
    URL, and the admin's own link to the app keeps it; without it the shop's locale is used."""
    page = requests.get(fake.admin_app_url(SHOP, "/members") + "?locale=en&tab=all", timeout=5)
    finder = _FrameFinder()
    finder.feed(page.text)
    assert finder.src is not None
    params = dict(parse_qsl(urlsplit(finder.src).query))
    assert params["locale"] == "en" and params["tab"] == "all"
    assert params["hmac"] == independent_hmac(params, SECRET)
    assert f'href="{urlsplit(fake.admin_app_url(SHOP)).path}?locale=en"' in page.text
    assert '"locale": "en"' in page.text

    plain = requests.get(fake.admin_app_url(SHOP, "/members"), timeout=5)
    finder = _FrameFinder()
    finder.feed(plain.text)
    assert finder.src is not None and dict(parse_qsl(urlsplit(finder.src).query))["locale"] == "nb"
    assert '"locale": null' in plain.text


def test_admin_session_token_endpoint_is_same_origin_only(fake: FakeShopify) -> None:
    url = f"{fake.url}/{SHOP}/admin/_fake/session_token"
    fake.install(SHOP)
    assert requests.post(url, headers={"Origin": fake.url}, timeout=5).status_code == 200
    assert (
        requests.post(url, headers={"Origin": "http://evil.example"}, timeout=5).status_code == 403
    )


def test_cdn_stand_ins_are_served(fake: FakeShopify) -> None:
    for name in ("app-bridge.js", "polaris.js"):
        response = requests.get(f"{fake.url}/cdn/shopifycloud/{name}", timeout=5)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/javascript")


@pytest.mark.browser
def test_admin_frames_app_and_answers_app_bridge_in_a_browser(browser: Any) -> None:
    """The stand-ins in Chromium: id tokens by postMessage, Authorization on fetch, a form."""
    seen: dict[str, Any] = {}

    def app(environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/ping":
            seen["auth"] = request.headers.get("Authorization")
            response = Response("pong")
        elif request.path == "/save":
            seen["form"] = request.form.to_dict()
            response = Response("saved")
        else:
            response = Response(page_html, content_type="text/html")
        return response(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=lambda: server.serve_forever(poll_interval=0.05), daemon=True).start()
    fake = FakeShopify(KEY, SECRET, app_url=f"http://127.0.0.1:{server.server_port}").start()
    fake.add_shop(SHOP, name="Demo")
    page_html = (
        "<!DOCTYPE html><html lang='en'><head><title>App</title>"
        f"<script src='{fake.url}/cdn/shopifycloud/app-bridge.js' data-api-key='{KEY}'></script>"
        f"<script src='{fake.url}/cdn/shopifycloud/polaris.js'></script></head><body>"
        "<s-page heading='Settings'><form method='post' action='/save'>"
        "<s-number-field label='Points per krone' name='rate' value='1'></s-number-field>"
        "<s-checkbox label='Enabled' name='enabled'></s-checkbox>"
        "<s-button variant='primary' type='submit'>Save</s-button></form></s-page>"
        "<script>fetch('/ping').then(r => r.text()).then(t => { window.pinged = t; });"
        "shopify.toast.show('Hello');</script></body></html>"
    )
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(fake.admin_app_url(SHOP))
        frame = page.frame_locator("#app-iframe")
        frame.get_by_label("Points per krone").fill("3")
        frame.get_by_label("Enabled").check()
        page.wait_for_function("window.__fakeAdmin.toasts.length > 0")
        frame.get_by_role("button", name="Save").click()
        frame.get_by_text("saved").wait_for()
        context.close()
    finally:
        fake.stop()
        server.shutdown()
    assert seen["auth"].startswith("Bearer ")
    jwt.decode(seen["auth"][7:], SECRET, algorithms=["HS256"], audience=KEY)
    assert seen["form"] == {"rate": "3", "enabled": "on"}
