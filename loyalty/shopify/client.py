"""The one client for Shopify's token endpoint and Admin GraphQL API (SHOPIFY.md §1, §8).

It raises the errors of :mod:`loyalty.shopify.errors`. Token endpoint calls are not retried: an
authorization code is single-use, and the caller (a browser, a scheduled job) retries at its own
level. GraphQL calls retry 5xx, connection failures and THROTTLED a bounded number of times.
Tokens, secrets and bodies are never logged; error messages carry the shop, the status and
Shopify's short error code only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests

from loyalty.core.config import Config
from loyalty.core.types import utcnow
from loyalty.shopify.errors import (
    ERROR_CODE,
    GraphQLError,
    InvalidSubjectToken,
    ShopifyAuthError,
    ShopifyError,
    ShopifyThrottled,
    ShopifyTimeout,
    ShopifyUnavailable,
    ShopNeedsAuthorisation,
    error_code_of,
)

log = logging.getLogger(__name__)

# OAuth identifiers (RFC 8693 and Shopify's), not secrets.
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105
OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"  # noqa: S105

TokenRefused = Callable[[str, str], bool]
"""``refused(shop, access_token)``: Shopify answered 401 to that token; whether the shop now
needs its merchant's authorisation (:func:`loyalty.shopify.authorisation.token_refused`)."""


@dataclass(frozen=True)
class TokenSet:
    """What the token endpoint granted. ``repr`` hides the tokens."""

    access_token: str = field(repr=False)
    expires_at: datetime | None
    refresh_token: str | None = field(repr=False)
    refresh_expires_at: datetime | None
    scope: str


class ShopifyClient:
    """Calls one app's token endpoint and Admin GraphQL API, on any shop."""

    def __init__(
        self,
        config: Config,
        *,
        http: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = utcnow,
        max_retries: int = 3,
        max_throttle_retries: int = 3,
        max_throttle_wait: float = 20.0,
        backoff: float = 0.5,
        on_token_refused: TokenRefused | None = None,
    ) -> None:
        self.config = config
        self.on_token_refused = on_token_refused
        self.http = http or requests.Session()
        self.sleep = sleep
        self.clock = clock
        self.max_retries = max_retries
        self.max_throttle_retries = max_throttle_retries
        self.max_throttle_wait = max_throttle_wait
        self.backoff = backoff

    # Token endpoint

    def exchange_session_token(self, shop: str, id_token: str) -> TokenSet:
        """Trade an App Bridge session token for an expiring offline access token."""
        return self._token_request(
            shop,
            "token exchange",
            {
                "grant_type": TOKEN_EXCHANGE_GRANT,
                "subject_token": id_token,
                "subject_token_type": ID_TOKEN_TYPE,
                "requested_token_type": OFFLINE_TOKEN_TYPE,
                "expiring": "1",
            },
        )

    def exchange_code(self, shop: str, code: str) -> TokenSet:
        """Trade an OAuth authorization code for an expiring offline access token."""
        return self._token_request(shop, "code exchange", {"code": code, "expiring": "1"})

    def refresh(self, shop: str, refresh_token: str) -> TokenSet:
        """A new access token and a new refresh token for a refresh token."""
        return self._token_request(
            shop, "refresh", {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )

    def _token_request(self, shop: str, what: str, grant: dict[str, str]) -> TokenSet:
        url = f"{self.config.shop_origin(shop)}/admin/oauth/access_token"
        body = {
            "client_id": self.config.shopify_api_key,
            "client_secret": self.config.shopify_api_secret,
            **grant,
        }
        try:
            resp = self.http.post(
                url,
                json=body,
                headers={"Accept": "application/json"},
                timeout=self.config.shopify_timeout,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise ShopifyTimeout(f"{what} for {shop}: no answer in time") from None
        except requests.RequestException as err:
            raise ShopifyUnavailable(f"{what} for {shop}: {type(err).__name__}") from None
        status = resp.status_code
        log.info("%s for %s: HTTP %s", what, shop, status)
        if status == 200:
            return self._token_set(shop, what, resp)
        error = _token_error(resp)
        message = f"{what} for {shop} refused: HTTP {status} {error or ''}".rstrip()
        if status >= 500:
            raise ShopifyUnavailable(message, status, error)
        if status == 429:
            raise ShopifyThrottled(message, _retry_after(resp, 1.0))
        if error == "invalid_subject_token":
            raise InvalidSubjectToken(message, status, error)
        if status in (400, 401, 403):
            raise ShopifyAuthError(message, status, error)
        raise ShopifyError(message, status, error)

    def _token_set(self, shop: str, what: str, resp: requests.Response) -> TokenSet:
        try:
            data = resp.json()
            access_token = data["access_token"]
            if not isinstance(access_token, str) or not access_token:
                raise ValueError("empty access_token")
        except (ValueError, KeyError, TypeError):
            raise ShopifyError(f"{what} for {shop}: malformed answer", resp.status_code) from None
        now = self.clock()
        return TokenSet(
            access_token=access_token,
            expires_at=_after(now, data.get("expires_in")),
            refresh_token=data.get("refresh_token") or None,
            refresh_expires_at=_after(now, data.get("refresh_token_expires_in")),
            scope=str(data.get("scope") or ""),
        )

    # Admin GraphQL

    def graphql(
        self,
        shop: str,
        access_token: str,
        query: str,
        variables: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Run a query or mutation and return its ``data``; raises the errors above.

        A 401 is :class:`ShopNeedsAuthorisation` when ``on_token_refused`` says the shop's
        stored token was refused (it marks the shop), else :class:`ShopifyAuthError`.
        """
        version = self.config.app_toml.api_version
        url = f"{self.config.shop_origin(shop)}/admin/api/{version}/graphql.json"
        payload: dict[str, Any] = {"query": query, "variables": dict(variables or {})}
        headers = {"X-Shopify-Access-Token": access_token, "Accept": "application/json"}
        failures = throttles = 0
        while True:
            try:
                resp = self.http.post(
                    url,
                    json=payload,
                    headers=headers,
                    timeout=self.config.shopify_timeout,
                    allow_redirects=False,
                )
            except (requests.ConnectionError, requests.Timeout) as err:
                # A read timeout may mean the mutation ran: not retried here.
                if isinstance(err, requests.ReadTimeout) or failures >= self.max_retries:
                    timed_out = isinstance(err, requests.Timeout)
                    cls = ShopifyTimeout if timed_out else ShopifyUnavailable
                    raise cls(f"GraphQL for {shop}: {type(err).__name__}") from None
                failures += 1
                self.sleep(self.backoff * 2 ** (failures - 1))
                continue
            status = resp.status_code
            if status >= 500 and failures < self.max_retries:
                failures += 1
                log.info("GraphQL for %s: HTTP %s, retry %s", shop, status, failures)
                self.sleep(_retry_after(resp, self.backoff * 2 ** (failures - 1)))
                continue
            if (
                status == 401
                and self.on_token_refused
                and self.on_token_refused(shop, access_token)
            ):
                raise ShopNeedsAuthorisation(shop, status)
            body = _json_or_none(resp)
            wait = _throttle_wait(status, resp, body)
            if wait is not None:
                if throttles >= self.max_throttle_retries or wait > self.max_throttle_wait:
                    raise ShopifyThrottled(f"GraphQL for {shop}: throttled", retry_after=wait)
                throttles += 1
                log.info("GraphQL for %s: throttled, waiting %.2fs", shop, wait)
                self.sleep(wait)
                continue
            return _graphql_data(shop, status, body)


def _graphql_data(shop: str, status: int, body: Any) -> dict[str, Any]:
    """The ``data`` of a non-throttled answer, or the matching error."""
    if status in (401, 403):
        raise ShopifyAuthError(f"GraphQL for {shop}: HTTP {status}", status)
    if status >= 500:
        raise ShopifyUnavailable(f"GraphQL for {shop}: HTTP {status}", status)
    if status != 200 or not isinstance(body, dict):
        raise ShopifyError(f"GraphQL for {shop}: HTTP {status}", status)
    errors = body.get("errors")
    if errors:
        errors = errors if isinstance(errors, list) else [{"message": str(errors)}]
        codes = ", ".join(error_code_of(e) for e in errors)
        raise GraphQLError(f"GraphQL for {shop}: {codes}", errors)
    data = body.get("data")
    if not isinstance(data, dict):
        raise ShopifyError(f"GraphQL for {shop}: no data", status)
    return data


def _throttle_wait(status: int, resp: requests.Response, body: Any) -> float | None:
    """Seconds to wait when the answer is THROTTLED (or 429), else None."""
    if status == 429:
        return _retry_after(resp, 1.0)
    if not isinstance(body, dict) or not isinstance(body.get("errors"), list):
        return None
    if not any(error_code_of(e) == "THROTTLED" for e in body["errors"]):
        return None
    try:
        cost = body["extensions"]["cost"]
        bucket = cost["throttleStatus"]
        missing = float(cost["requestedQueryCost"]) - float(bucket["currentlyAvailable"])
        return max(missing, 1.0) / float(bucket["restoreRate"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return 1.0


def _token_error(resp: requests.Response) -> str | None:
    """Shopify's short ``error`` code from a token endpoint refusal, if it looks like one."""
    body = _json_or_none(resp)
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) and ERROR_CODE.match(error) else None


def _json_or_none(resp: requests.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def _retry_after(resp: requests.Response, default: float) -> float:
    try:
        return min(max(float(resp.headers.get("Retry-After", "")), 0.0), 60.0)
    except ValueError:
        return default


def _after(now: datetime, seconds: Any) -> datetime | None:
    try:
        return now + timedelta(seconds=int(seconds)) if seconds is not None else None
    except (TypeError, ValueError):
        return None
