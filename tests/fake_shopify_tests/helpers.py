"""The fake Shopify tests' app credentials, shops and plain helpers: token requests, GraphQL,
the callback HMAC computed independently, and a local webhook receiver."""

from __future__ import annotations

import hashlib
import hmac
import threading
from typing import Any
from urllib.parse import quote

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from devtools.fake_shopify import FakeShopify

KEY = "3f1c0ffee4a5b6c7d8e9f00112233445"
SECRET = "shpss_0123456789abcdef0123456789abcdef"
SHOP = "demo-shop.myshopify.com"
OTHER = "other-shop.myshopify.com"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE = "urn:shopify:params:oauth:token-type:offline-access-token"
ONLINE = "urn:shopify:params:oauth:token-type:online-access-token"
BAD_TOKEN = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}


def base(fake: FakeShopify, shop: str = SHOP) -> str:
    return fake.shop_url_template.format(shop=shop)


def token_post(
    fake: FakeShopify, shop: str = SHOP, *, form: bool = False, **body: Any
) -> requests.Response:
    payload = {"client_id": KEY, "client_secret": SECRET, **body}
    url = base(fake, shop) + "/admin/oauth/access_token"
    if form:
        return requests.post(url, data=payload, timeout=5)
    return requests.post(url, json=payload, timeout=5)


def exchange(
    fake: FakeShopify, shop: str = SHOP, *, expiring: Any = "1", **kw: Any
) -> requests.Response:
    subject = kw.pop("subject_token", None) or fake.session_token(shop)
    return token_post(
        fake,
        shop,
        grant_type=EXCHANGE,
        subject_token=subject,
        subject_token_type=ID_TOKEN,
        requested_token_type=kw.pop("requested_token_type", OFFLINE),
        expiring=expiring,
        **kw,
    )


def gql(
    fake: FakeShopify,
    token: str,
    query: str,
    variables: dict | None = None,
    *,
    shop: str = SHOP,
    version: str = "2026-10",
) -> requests.Response:
    url = f"{base(fake, shop)}/admin/api/{version}/graphql.json"
    return requests.post(
        url,
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": token},
        timeout=5,
    )


def independent_hmac(params: dict[str, str], secret: str) -> str:
    """The callback HMAC computed without the fake's helper (sorted, form-encoded k=v)."""
    items = sorted((k, v) for k, v in params.items() if k != "hmac")
    message = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in items)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class Receiver:
    """A local endpoint that records webhook deliveries and answers with scripted statuses."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(
            target=lambda: self.server.serve_forever(poll_interval=0.05), daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks"

    def app(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        self.calls.append((dict(request.headers), request.get_data()))
        status = self.statuses[min(len(self.calls), len(self.statuses)) - 1]
        return Response("", status=status)(environ, start_response)
