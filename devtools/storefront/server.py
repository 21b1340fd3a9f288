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

The theme page's layout, the extension's blocks and the Liquid environment are
:mod:`devtools.storefront.theme`.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from loyalty.core.config import DEMO_API_SECRET
from loyalty.shopify.signatures import proxy_signature

from .theme import ASSET_PREFIX, EXTENSION, PAGE, Block, liquid_environment

PROXY_PREFIX = "/apps/klubb"
LOCALES = {"en", "nb"}
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css"}
SESSION_COOKIE = "storefront_session"
HOP_BY_HOP = {"connection", "content-encoding", "content-length", "transfer-encoding", "set-cookie"}


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
    # Where the merchant put the app proxy, and the app-data metafields Liquid's ``app`` shows.
    proxy_prefix: str = PROXY_PREFIX
    app_metafields: dict[str, dict[str, Any]] = field(default_factory=dict)

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
                Rule(f"{self.proxy_prefix}/<path:rest>", endpoint="proxy", methods=None),
                Rule(self.proxy_prefix, endpoint="proxy", defaults={"rest": ""}, methods=None),
                Rule(f"/<any(nb, en):locale>{self.proxy_prefix}/<path:rest>", endpoint="proxy"),
                Rule(
                    f"/<any(nb, en):locale>{self.proxy_prefix}",
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
            "app": {"metafields": self.app_metafields},
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
        params["path_prefix"] = [self.proxy_prefix]
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
