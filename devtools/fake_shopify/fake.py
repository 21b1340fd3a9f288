"""The :class:`FakeShopify` facade: configuration, state, test controls and the server."""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests

from . import oauth, signatures, tokens, webhooks
from .clock import FakeClock
from .ids import _IdSource, numeric_app_id
from .state import FakeShop

if TYPE_CHECKING:
    from .server import LoopbackServer

DEFAULT_SCOPES = (
    "read_customers,write_customers,read_orders,read_products,write_discounts,write_app_proxy"
)
SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")


@dataclass
class InjectedFailure:
    """A canned answer (or a delay) for the next request to an endpoint."""

    status: int | None
    body: Any
    delay: float


class FakeShopify:
    """A strict fake of the parts of Shopify that Klubb talks to, served on loopback.

    The app reaches it only through ``SHOPIFY_SHOP_URL_TEMPLATE`` (:attr:`shop_url_template`):
    ``{template}/admin/oauth/access_token`` and ``{template}/admin/api/{version}/graphql.json``.
    All state lives in memory behind :attr:`lock`.
    """

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        app_url: str = "http://127.0.0.1:8000",
        port: int = 0,
        scopes: str = DEFAULT_SCOPES,
        api_version: str = "2026-10",
        *,
        app_id: int | None = None,
        app_name: str = "Klubb",
        staff_user_id: int = 42,
        host: str = "127.0.0.1",
    ) -> None:
        self.api_key = api_key
        self.api_secret = api_secret
        self.app_url = app_url.rstrip("/")
        self.scopes = scopes
        self.api_version = api_version
        # The numeric app id behind ``app--<id>`` namespaces (not the client id).
        self.app_id = app_id if app_id is not None else numeric_app_id(api_key)
        self.app_name = app_name
        self.staff_user_id = staff_user_id
        self.host = host
        self.port = port
        self.lock = threading.RLock()
        self.clock = FakeClock()
        self.shops: dict[str, FakeShop] = {}
        self.token_requests: list[dict[str, Any]] = []
        self.graphql_requests: list[dict[str, Any]] = []
        self.webhook_deliveries: list[dict[str, Any]] = []
        self._ids = _IdSource()
        self._token_failures: deque[InjectedFailure] = deque()
        self._graphql_failures: deque[InjectedFailure] = deque()
        self._server: LoopbackServer | None = None

    # -- server --------------------------------------------------------------------------

    def start(self) -> FakeShopify:
        """Serve on ``host:port`` (port 0: a free port) in a daemon thread."""
        from .server import LoopbackServer, make_wsgi_app

        if self._server is not None:
            return self
        self._server = LoopbackServer(make_wsgi_app(self), self.host, self.port)
        self.port = self._server.port
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is None:
            return
        self._server.stop()
        self._server = None

    def __enter__(self) -> FakeShopify:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def shop_url_template(self) -> str:
        """``http://127.0.0.1:PORT/{shop}``, the value for ``SHOPIFY_SHOP_URL_TEMPLATE``."""
        return f"{self.url}/{{shop}}"

    # -- shops -----------------------------------------------------------------------------

    def add_shop(
        self,
        domain: str,
        name: str | None = None,
        currency: str = "USD",
        timezone: str = "America/New_York",
        locale: str = "en",
        email: str | None = None,
        *,
        plan: str = "partner_test",
        installed: bool = False,
    ) -> FakeShop:
        """Create a shop (not yet installed unless ``installed=True``)."""
        if not SHOP_DOMAIN.match(domain):
            raise ValueError(f"not a myshopify domain: {domain!r}")
        with self.lock:
            if domain in self.shops:
                raise ValueError(f"shop {domain} exists already")
            shop = FakeShop(
                domain,
                shop_id=self._ids.next(),
                name=name or domain.split(".", 1)[0].replace("-", " ").title(),
                email=email or f"owner@{domain}",
                currency=currency,
                timezone=timezone,
                locale=locale,
                plan=plan,
                clock=self.clock,
                ids=self._ids,
                lock=self.lock,
                app_id=self.app_id,
            )
            self.shops[domain] = shop
            if installed:
                oauth.install(self, shop, self.scopes)
        return shop

    def shop(self, domain: str) -> FakeShop:
        """The shop ``domain`` (KeyError if it was never added)."""
        return self.shops[domain]

    def install(self, shop: str, scopes: str | None = None) -> None:
        """Install the app on ``shop`` directly (what Shopify-managed installation does)."""
        with self.lock:
            oauth.install(self, self.shops[shop], scopes or self.scopes)

    def uninstall(self, shop: str, *, notify: bool = False) -> requests.Response | None:
        """Uninstall: revoke every token (Admin calls get 401); optionally send the webhook."""
        with self.lock:
            target = self.shops[shop]
            target.installed = False
            target.granted_scopes = []
            target.revoke_all_tokens()
            payload = {
                "id": target.id,
                "name": target.name,
                "domain": shop,
                "myshopify_domain": shop,
                "email": target.email,
            }
        if notify:
            return self.send_webhook("app/uninstalled", shop, payload)
        return None

    def revoke_tokens(self, shop: str) -> None:
        """Revoke the shop's tokens, the app staying installed: Admin calls and refreshes get
        401 until the app exchanges a new session token (the merchant's next admin load)."""
        with self.lock:
            self.shops[shop].revoke_all_tokens()

    def issue_token(self, shop: str, *, expiring: bool = True) -> dict[str, Any]:
        """Install if needed and mint an offline token as token exchange would (for tests)."""
        with self.lock:
            target = self.shops[shop]
            if not target.installed:
                oauth.install(self, target, self.scopes)
            return tokens.issue_offline(self, target, "test_helper", expiring)

    def next_id(self) -> int:
        """A fresh numeric id for a new object."""
        return self._ids.next()

    # -- tokens and URLs -------------------------------------------------------------------

    def session_token(
        self,
        shop: str,
        sub: str = "42",
        exp_in: int = 60,
        nbf_offset: int = 0,
        secret: str | None = None,
        aud: str | None = None,
        iss: str | None = None,
        dest: str | None = None,
    ) -> str:
        """An App Bridge session token (HS256 JWT); overrides build bad ones."""
        return signatures.make_session_token(
            self,
            shop,
            sub=sub,
            exp_in=exp_in,
            nbf_offset=nbf_offset,
            secret=secret,
            aud=aud,
            iss=iss,
            dest=dest,
        )

    def admin_app_url(self, shop: str, path: str = "") -> str:
        """The fake admin page framing the app: ``{url}/{shop}/admin/apps/{api_key}{path}``."""
        return f"{self.url}/{shop}/admin/apps/{self.api_key}{path}"

    def authorize_url(self, shop: str) -> str:
        """The OAuth authorize endpoint of ``shop``."""
        return f"{self.url}/{shop}/admin/oauth/authorize"

    def bulk_result_url(self, shop: str, op_id: int) -> str:
        """Where a bulk operation's JSONL is served."""
        return f"{self.url}/_fake/bulk/{shop}/{op_id}.jsonl"

    # -- test controls ---------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Move the fake clock forward (tokens expire, the cost bucket refills)."""
        self.clock.advance(seconds)

    def fail_next_token_request(
        self, status: int | None = 500, body: Any = None, delay: float = 0.0
    ) -> None:
        """Answer the next token request with ``status``/``body`` after ``delay`` seconds.

        ``status=None`` only delays it (to make the app time out) and then serves it.
        """
        with self.lock:
            self._token_failures.append(InjectedFailure(status, body, delay))

    def fail_next_graphql_request(
        self, status: int | None = 500, body: Any = None, delay: float = 0.0
    ) -> None:
        """Like :meth:`fail_next_token_request`, for the next GraphQL request."""
        with self.lock:
            self._graphql_failures.append(InjectedFailure(status, body, delay))

    def take_failure(self, kind: str) -> InjectedFailure | None:
        """The next injected failure for ``token`` or ``graphql`` requests, if any."""
        with self.lock:
            queue = self._token_failures if kind == "token" else self._graphql_failures
            return queue.popleft() if queue else None

    def throttle(self, shop: str, available: float = 0) -> None:
        """Set the shop's cost bucket to ``available`` points, held until the next query."""
        with self.lock:
            bucket = self.shops[shop].bucket
            bucket.available = float(available)
            bucket.updated_at = self.clock.now()
            bucket.pinned = True

    def send_webhook(
        self,
        topic: str,
        shop: str,
        payload: dict[str, Any] | list[Any] | bytes,
        *,
        event_id: str | None = None,
        webhook_id: str | None = None,
        triggered_at: float | str | None = None,
        secret: str | None = None,
        api_version: str | None = None,
        address: str | None = None,
        retry: bool = False,
        name: str | None = None,
    ) -> requests.Response:
        """Sign and post a webhook to ``{app_url}/webhooks`` (or ``address``) as Shopify does.

        ``retry=True`` re-posts the same body and headers up to 8 more times while the answer
        is not 2xx (no waiting). ``triggered_at`` is a Unix time or a ready header value.
        """
        return webhooks.send(
            self,
            topic,
            shop,
            payload,
            event_id=event_id,
            webhook_id=webhook_id,
            triggered_at_ts=triggered_at,
            secret=secret,
            api_version=api_version,
            address=address,
            retry=retry,
            name=name,
        )
