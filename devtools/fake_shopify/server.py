"""HTTP wiring of the fake Shopify (a werkzeug WSGI app), and serving it on loopback."""

from __future__ import annotations

import html
import json
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from . import admin_page, graphql_api, oauth, signatures, token_endpoint

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from .fake import FakeShopify, InjectedFailure
    from .state import FakeShop

CDN_DIR = Path(__file__).with_name("cdn")

URLS = Map(
    [
        Rule("/", endpoint="index", methods=["GET"]),
        Rule("/cdn/shopifycloud/<name>", endpoint="cdn", methods=["GET"]),
        Rule("/_fake/bulk/<shop>/<int:op_id>.jsonl", endpoint="bulk_file", methods=["GET"]),
        Rule("/<shop>/admin", endpoint="admin_home", methods=["GET"]),
        Rule("/<shop>/admin/oauth/authorize", endpoint="authorize", methods=["GET"]),
        Rule("/<shop>/admin/oauth/access_token", endpoint="token", methods=["POST"]),
        Rule("/<shop>/admin/api/<version>/graphql.json", endpoint="graphql", methods=["POST"]),
        Rule("/<shop>/admin/apps/<key>", endpoint="admin_app", methods=["GET"]),
        Rule("/<shop>/admin/apps/<key>/<path:rest>", endpoint="admin_app", methods=["GET"]),
        Rule("/<shop>/admin/_fake/session_token", endpoint="session_token", methods=["POST"]),
    ],
    strict_slashes=False,
)


def _not_found() -> Response:
    body = "<!DOCTYPE html><html><body><h1>There&rsquo;s no page at this address</h1></body></html>"
    return Response(body, status=404, content_type="text/html; charset=utf-8")


def _canned(failure: InjectedFailure) -> Response:
    body = failure.body
    if body is None:
        body = {"errors": "Internal Server Error"}
    if isinstance(body, (dict, list)):
        return Response(
            json.dumps(body), status=failure.status or 500, content_type="application/json"
        )
    return Response(body, status=failure.status or 500, content_type="text/plain")


def make_wsgi_app(fake: FakeShopify) -> Callable[..., Iterable[bytes]]:
    """The WSGI application serving ``fake``."""

    def shop_or_none(domain: str) -> FakeShop | None:
        with fake.lock:
            return fake.shops.get(domain)

    def dispatch(request: Request) -> Response:
        adapter = URLS.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
        except NotFound:
            return _not_found()
        except HTTPException as exc:
            return exc.get_response(request.environ)
        if endpoint == "index":
            return _index(fake)
        if endpoint == "cdn":
            return _cdn(values["name"])
        shop = shop_or_none(values.get("shop", ""))
        if shop is None:
            return _not_found()
        if endpoint == "bulk_file":
            return _bulk_file(fake, shop, values["op_id"])
        if endpoint == "authorize":
            return oauth.authorize(fake, shop, request)
        if endpoint == "token":
            return _token(fake, shop, request)
        if endpoint == "graphql":
            return _graphql(fake, shop, values["version"], request)
        if endpoint == "admin_app":
            if values["key"] != fake.api_key:
                return _not_found()
            rest = values.get("rest")
            return admin_page.render(fake, shop, f"/{rest}" if rest else "", request)
        if endpoint == "session_token":
            return _session_token(fake, shop, request)
        if endpoint == "admin_home":
            return _admin_home(fake, shop)
        return _not_found()

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = dispatch(request)
        return response(environ, start_response)

    return application


def _token(fake: FakeShopify, shop: FakeShop, request: Request) -> Response:
    failure = fake.take_failure("token")
    if failure is not None:
        if failure.delay:
            time.sleep(failure.delay)
        if failure.status is not None:
            body = token_endpoint.parse_token_body(request) or {}
            with fake.lock:
                fake.token_requests.append(
                    {
                        "shop": shop.domain,
                        "grant_type": body.get("grant_type"),
                        "ok": False,
                        "error": "injected",
                        "status": failure.status,
                        "time": fake.clock.now(),
                    }
                )
            return _canned(failure)
    response, entry = token_endpoint.token_endpoint(fake, shop, request)
    entry["status"] = response.status_code
    with fake.lock:
        fake.token_requests.append(entry)
    return response


def _graphql(fake: FakeShopify, shop: FakeShop, version: str, request: Request) -> Response:
    failure = fake.take_failure("graphql", request.get_data(cache=True, as_text=True))
    if failure is not None and failure.after:
        _, entry = graphql_api.handle(fake, shop, version, request)
        with fake.lock:
            fake.graphql_requests.append({**entry, "answer_lost": True})
        return _canned(failure)
    if failure is not None:
        if failure.delay:
            time.sleep(failure.delay)
        if failure.status is not None:
            with fake.lock:
                fake.graphql_requests.append(
                    {
                        "shop": shop.domain,
                        "version": version,
                        "status": failure.status,
                        "token": request.headers.get("X-Shopify-Access-Token"),
                        "injected": True,
                        "query": None,
                        "variables": None,
                        "time": fake.clock.now(),
                    }
                )
            return _canned(failure)
    response, entry = graphql_api.handle(fake, shop, version, request)
    with fake.lock:
        fake.graphql_requests.append(entry)
    return response


def _session_token(fake: FakeShopify, shop: FakeShop, request: Request) -> Response:
    origin = request.headers.get("Origin")
    if origin is not None and origin != fake.url:
        return Response("cross-origin request refused", status=403)
    with fake.lock:
        installed = shop.installed
    if not installed:
        return Response(
            json.dumps({"error": "app not installed"}), status=409, content_type="application/json"
        )
    token = signatures.make_session_token(fake, shop.domain, sub=str(fake.staff_user_id))
    response = Response(json.dumps({"token": token}), content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _cdn(name: str) -> Response:
    if name not in ("app-bridge.js", "polaris.js"):
        return _not_found()
    body = (CDN_DIR / name).read_bytes()
    response = Response(body, content_type="application/javascript; charset=utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _bulk_file(fake: FakeShopify, shop: FakeShop, op_id: int) -> Response:
    with fake.lock:
        op = shop.bulk_operations.get(f"gid://shopify/BulkOperation/{op_id}")
        data = op.jsonl if op else None
    if data is None:
        return _not_found()
    return Response(data, content_type="application/jsonl")


def _admin_home(fake: FakeShopify, shop: FakeShop) -> Response:
    link = html.escape(f"/{shop.domain}/admin/apps/{fake.api_key}")
    body = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>"
        f"{html.escape(shop.name)} · Shopify</title></head><body><h1>{html.escape(shop.name)}</h1>"
        f"<p><a href='{link}'>{html.escape(fake.app_name)}</a></p></body></html>"
    )
    return Response(body, content_type="text/html; charset=utf-8")


def _index(fake: FakeShopify) -> Response:
    with fake.lock:
        shops = list(fake.shops.values())
    items = "".join(
        f"<li><a href='/{html.escape(s.domain)}/admin/apps/{html.escape(fake.api_key)}'>"
        f"{html.escape(s.name)}</a> ({html.escape(s.domain)})</li>"
        for s in shops
    )
    body = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Fake Shopify"
        f"</title></head><body><h1>Fake Shopify</h1><ul>{items}</ul></body></html>"
    )
    return Response(body, content_type="text/html; charset=utf-8")


class LoopbackServer:
    """A WSGI app served on ``host:port`` (port 0: a free port) in a daemon thread."""

    def __init__(self, app: Callable[..., Iterable[bytes]], host: str, port: int) -> None:
        self._server = make_server(host, port, app, threaded=True, request_handler=_Quiet)
        self.port = self._server.server_port
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05),
            name="fake-shopify",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, close the socket, wait for the thread."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Quiet(WSGIRequestHandler):
    """A request handler that does not log every request to stderr."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None
