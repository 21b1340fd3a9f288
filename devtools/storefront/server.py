"""A test storefront on loopback: the theme's page with Klubb's extension, and Shopify's app proxy.

- ``GET /`` (and ``/nb/``, ``/en/``) renders a plain theme page whose ``<body>`` ends with the
  app embed block (``extensions/klubb-widget/blocks/app-embed.liquid``) rendered by python-liquid,
  plus the block schema's ``javascript`` asset as an ``async`` script, as Shopify injects it.
- ``GET /pages/loyalty`` renders the loyalty-page app block inside the same theme page.
- ``/extensions/klubb-widget/assets/<name>`` serves the extension's assets (Shopify's CDN role).
- ``/apps/klubb/<rest>`` (and ``/nb/apps/klubb/<rest>``) is the app proxy (SHOPIFY.md §6):
  forwarded to ``<app>/proxy/<rest>`` with method and body, plus ``shop``,
  ``logged_in_customer_id`` (empty for guests), ``path_prefix``, ``timestamp`` and
  ``signature``; ``Cookie`` is not forwarded and ``Set-Cookie`` not returned. An answer of type
  ``application/liquid`` is rendered with the shop's Liquid objects inside the theme page, as
  Shopify does.
- ``/account/login``, ``/account/register``, ``/discount/<code>``: stand-ins for Shopify's pages.

Who is signed in is the storefront's switch: ``storefront.customer_id = 7`` (None: a guest).
As on Shopify, the customer is known from the storefront's own session cookie (``SESSION_COOKIE``,
HttpOnly, set by every theme page): a proxy call without it is signed as a guest's.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from liquid import Environment
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from loyalty.core.config import DEMO_API_SECRET
from loyalty.shopify.signatures import proxy_signature

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extensions" / "klubb-widget"
ASSET_PREFIX = "/extensions/klubb-widget/assets/"
PROXY_PREFIX = "/apps/klubb"
SCHEMA = re.compile(r"{%-?\s*schema\s*-?%}(.*?){%-?\s*endschema\s*-?%}", re.S)
LOCALES = {"en", "nb"}
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css"}
SESSION_COOKIE = "storefront_session"
HOP_BY_HOP = {"connection", "content-encoding", "content-length", "transfer-encoding", "set-cookie"}

PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font:16px/1.5 Georgia,serif;margin:0;color:#222}}header,main{{padding:16px 24px}}
header{{background:#f3efe7;display:flex;gap:16px;align-items:center}}
.products{{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:16px}}
.product{{border:1px solid #ddd;padding:12px;height:120px}}</style>
{head}
</head>
<body>
<header><strong>Nordlys Strikk</strong><a href="/">{home}</a><a href="/pages/loyalty">Klubb</a>
<a href="/account/login">{account}</a></header>
<main>{main}</main>
{body_end}
</body>
</html>"""


@dataclass
class Block:
    """A block's Liquid (schema removed) and its parsed schema."""

    source: str
    schema: dict[str, Any]

    @classmethod
    def load(cls, name: str) -> Block:
        """Read ``blocks/<name>.liquid``; Shopify reads the schema separately, so do we."""
        text = (EXTENSION / "blocks" / f"{name}.liquid").read_text()
        match = SCHEMA.search(text)
        schema = json.loads(match.group(1)) if match else {}
        return cls(SCHEMA.sub("", text), schema)

    def settings(self, overrides: dict[str, Any]) -> dict[str, Any]:
        """The schema's defaults with the merchant's choices on top."""
        values = {
            s["id"]: s.get("default", "") for s in self.schema.get("settings", []) if "id" in s
        }
        values.update(overrides)
        return values


def _lookup(tree: dict[str, Any], key: str) -> str | None:
    node: Any = tree
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, str) else None


def liquid_environment(locale: str) -> Environment:
    """python-liquid with stand-ins for Shopify's ``t``, ``asset_url`` and ``json`` filters."""
    env = Environment()
    default = json.loads((EXTENSION / "locales" / "en.default.json").read_text())
    path = EXTENSION / "locales" / f"{locale}.json"
    texts = json.loads(path.read_text()) if path.exists() else default

    def translate(key: str, **values: Any) -> str:
        text = _lookup(texts, key) or _lookup(default, key)
        if text is None:
            return f"translation missing: {locale}.{key}"
        for name, value in values.items():
            text = text.replace("{{ " + name + " }}", str(value))
        return str(escape(text))

    def asset_url(name: str) -> str:
        mtime = int((EXTENSION / "assets" / name).stat().st_mtime)
        return f"{ASSET_PREFIX}{quote(name)}?v={mtime}"

    env.filters["t"] = translate
    env.filters["asset_url"] = asset_url
    env.filters["json"] = json.dumps
    return env


@dataclass
class Storefront:
    """The test storefront; ``start()`` serves it on loopback, ``url`` is its origin."""

    app_url: str
    shop: str = "klubb-test.myshopify.com"
    secret: str = DEMO_API_SECRET
    customer_id: int | None = None
    embed_settings: dict[str, Any] = field(default_factory=dict)
    embed_enabled: bool = True
    proxied: list[dict[str, Any]] = field(default_factory=list)
    applied_codes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._http = requests.Session()
        self.session = secrets.token_urlsafe(16)
        self.urls = Map(
            [
                Rule("/", endpoint="home"),
                Rule("/<any(nb, en):locale>/", endpoint="home"),
                Rule("/pages/loyalty", endpoint="loyalty_page"),
                Rule("/<any(nb, en):locale>/pages/loyalty", endpoint="loyalty_page"),
                Rule(f"{ASSET_PREFIX}<name>", endpoint="asset"),
                Rule(f"{PROXY_PREFIX}/<path:rest>", endpoint="proxy", methods=None),
                Rule(PROXY_PREFIX, endpoint="proxy", defaults={"rest": ""}, methods=None),
                Rule(f"/<any(nb, en):locale>{PROXY_PREFIX}/<path:rest>", endpoint="proxy"),
                Rule(
                    f"/<any(nb, en):locale>{PROXY_PREFIX}",
                    endpoint="proxy",
                    defaults={"rest": ""},
                    methods=None,
                ),
                Rule("/account/<any(login, register):kind>", endpoint="account"),
                Rule("/discount/<code>", endpoint="discount"),
            ]
        )

    @property
    def url(self) -> str:
        """The storefront's origin, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self, port: int = 0) -> Storefront:
        """Serve on loopback (a free port unless ``port`` is given) in a background thread."""
        self._server = make_server(
            "127.0.0.1", port, self.wsgi, threaded=True, request_handler=_Quiet
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down."""
        self._server.shutdown()
        self._http.close()
        if self._thread:
            self._thread.join(timeout=5)

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        """The WSGI entry point: dispatch on the URL map."""
        request = Request(environ)
        adapter = self.urls.bind_to_environ(environ)
        try:
            endpoint, args = adapter.match()
            response = getattr(self, f"_{endpoint}")(request, **args)
        except HTTPException as err:
            response = err
        return response(environ, start_response)

    # Theme pages

    def _context(self, request: Request, locale: str, block: Block, settings: dict) -> dict:
        return {
            **self._globals(request, locale),
            "block": {"id": "klubb-embed", "settings": block.settings(settings)},
        }

    def _globals(self, request: Request, locale: str) -> dict:
        """Shopify's Liquid objects that Klubb's Liquid reads (blocks and proxy pages)."""
        customer = {"id": self.customer_id} if self.customer_id is not None else None
        return {
            "request": {"locale": {"iso_code": locale}, "path": request.path},
            "routes": {
                "root_url": "/" if locale == "en" else f"/{locale}",
                "account_login_url": "/account/login",
                "account_register_url": "/account/register",
            },
            "customer": customer,
            "template": {"name": "index"},
        }

    def _render_block(self, request: Request, locale: str, name: str, settings: dict) -> str:
        block = Block.load(name)
        env = liquid_environment(locale)
        html = env.from_string(block.source).render(
            **self._context(request, locale, block, settings)
        )
        assets = []
        if block.schema.get("stylesheet"):
            href = env.filters["asset_url"](block.schema["stylesheet"])
            assets.append(f'<link rel="stylesheet" href="{href}">')
        if block.schema.get("javascript"):
            src = env.filters["asset_url"](block.schema["javascript"])
            assets.append(f'<script src="{src}" async></script>')
        return html + "\n" + "\n".join(assets)

    def _page(self, locale: str, title: str, main: str, body_end: str) -> Response:
        nb = locale == "nb"
        html = PAGE.format(
            lang=locale,
            title=title,
            head="",
            home="Hjem" if nb else "Home",
            account="Konto" if nb else "Account",
            main=main,
            body_end=body_end,
        )
        response = Response(html, content_type="text/html; charset=utf-8")
        response.set_cookie(SESSION_COOKIE, self.session, httponly=True, samesite="Lax")
        return response

    def _embed(self, request: Request, locale: str) -> str:
        if not self.embed_enabled:
            return ""
        return self._render_block(request, locale, "app-embed", self.embed_settings)

    def _home(self, request: Request, locale: str = "en") -> Response:
        products = "".join(f'<div class="product">Lue {n}</div>' for n in range(1, 9))
        main = f'<h1>Nordlys Strikk</h1><div class="products">{products}</div>'
        return self._page(locale, "Nordlys Strikk", main, self._embed(request, locale))

    def _loyalty_page(self, request: Request, locale: str = "en") -> Response:
        block = self._render_block(request, locale, "loyalty-page", {})
        return self._page(locale, "Klubb", block, self._embed(request, locale))

    def _asset(self, request: Request, name: str) -> Response:
        path = EXTENSION / "assets" / name
        if "/" in name or not path.is_file():
            return Response("not found", status=404)
        return Response(
            path.read_bytes(), content_type=CONTENT_TYPES.get(path.suffix, "text/plain")
        )

    def _account(self, request: Request, kind: str) -> Response:
        return Response(f"<h1>account {kind}</h1>", content_type="text/html")

    def _discount(self, request: Request, code: str) -> Response:
        self.applied_codes.append(code)
        return Response(f"<h1>Discount {escape(code)} applied</h1>", content_type="text/html")

    # The app proxy

    def signed_query(
        self, query: list[tuple[str, str]], *, session: str | None = None
    ) -> list[tuple[str, str]]:
        """The shopper's query plus Shopify's parameters and signature (SHOPIFY.md §6).

        The customer is signed only for a request carrying the storefront's session.
        """
        customer = self.customer_id if session == self.session else None
        params: dict[str, list[str]] = {}
        for key, value in query:
            if key != "signature":
                params.setdefault(key, []).append(value)
        params["shop"] = [self.shop]
        params["logged_in_customer_id"] = ["" if customer is None else str(customer)]
        params["path_prefix"] = [PROXY_PREFIX]
        params["timestamp"] = [str(int(time.time()))]
        params["signature"] = [proxy_signature(params, self.secret)]
        return [(k, v) for k, values in params.items() for v in values]

    def _proxy(self, request: Request, rest: str, locale: str = "en") -> Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in {"cookie", "host"}}
        upstream = self._http.request(
            request.method,
            f"{self.app_url}/proxy/{rest}" if rest else f"{self.app_url}/proxy",
            params=self.signed_query(
                list(request.args.items(multi=True)), session=request.cookies.get(SESSION_COOKIE)
            ),
            data=request.get_data(),
            headers=headers,
            allow_redirects=False,
            timeout=30,
        )
        self.proxied.append(
            {"method": request.method, "path": "/" + rest, "status": upstream.status_code}
        )
        liquid = upstream.headers.get("Content-Type", "").startswith("application/liquid")
        if liquid and upstream.status_code == 200:
            # Shopify renders a Liquid answer with the shop's objects, inside the theme's layout.
            env = liquid_environment(locale)
            main = env.from_string(upstream.content.decode("utf-8")).render(
                **self._globals(request, locale)
            )
            page = self._page(locale, "Klubb", main, self._embed(request, locale))
            page.headers["Cache-Control"] = upstream.headers.get("Cache-Control", "")
            return page
        response = Response(upstream.content, status=upstream.status_code)
        for key, value in upstream.headers.items():
            if key.lower() not in HOP_BY_HOP:
                response.headers[key] = value
        return response


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass
