"""The token endpoint: ``POST /{shop}/admin/oauth/access_token`` and its three grants
(authorization code, token exchange of a session token, refresh token).

Error bodies follow what Shopify returns (see the package README section in ``__init__``):
400 with ``{"error": ..., "error_description": ...}`` for every refused grant.
"""

from __future__ import annotations

import hmac
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from werkzeug.wrappers import Request, Response

from .oauth import install
from .signatures import check_session_token
from .state import FakeShop
from .tokens import issue_offline, issue_online, new_pair, pair_payload

if TYPE_CHECKING:
    from .fake import FakeShopify

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"
ONLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:online-access-token"
REFRESH_RECOVERY = 30 * 86400  # a used refresh token stays retryable this long at most

# ---------------------------------------------------------------------------------------
# Token endpoint


def _json(status: int, payload: dict[str, Any]) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    """A refused grant, shaped like Shopify's: ``{"error": ..., "error_description": ...}``."""
    return _json(status, {"error": error, "error_description": description})


INVALID_CODE = ("invalid_request", "The authorization code was not found or was already used")
INVALID_SUBJECT = (
    "invalid_subject_token",
    "Token exchange cannot be performed due to an invalid subject token.",
)
INVALID_REFRESH = (
    "invalid_grant",
    "The refresh token is invalid, expired, revoked, or has been superseded.",
)
BAD_CLIENT = (
    "invalid_client",
    "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method.",
)
NOT_INSTALLED = ("app_not_installed", "The application is not installed on this shop.")


def parse_token_body(request: Request) -> dict[str, Any] | None:
    """The token request's parameters from a JSON or form-encoded body (None if unreadable)."""
    raw = request.get_data(cache=True)
    ctype = (request.mimetype or "").lower()
    if ctype == "application/json" or raw[:1] in (b"{", b"["):
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            return None
        return data if isinstance(data, dict) else None
    return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))


def is_expiring(value: Any) -> bool:
    """``expiring`` as Shopify reads it: "1" (or 1) asks for an expiring offline token."""
    return value in ("1", 1, True)


def token_endpoint(
    fake: FakeShopify, shop: FakeShop, request: Request
) -> tuple[Response, dict[str, Any]]:
    """``POST /{shop}/admin/oauth/access_token``; returns the response and a log entry."""
    body = parse_token_body(request)
    entry: dict[str, Any] = {"shop": shop.domain, "time": fake.clock.now(), "ok": False}
    if body is None:
        entry.update(grant_type=None, error="invalid_request")
        return oauth_error("invalid_request", "The request body could not be parsed"), entry
    grant = body.get("grant_type") or ("authorization_code" if "code" in body else None)
    entry.update(
        grant_type=grant,
        client_id=body.get("client_id"),
        expiring=body.get("expiring"),
        requested_token_type=body.get("requested_token_type"),
    )

    def fail(error: tuple[str, str]) -> tuple[Response, dict[str, Any]]:
        entry["error"] = error[0]
        return oauth_error(*error), entry

    if body.get("client_id") != fake.api_key:
        return fail(
            (
                "invalid_request",
                f"Could not find Shopify API application with api_key {body.get('client_id')}",
            )
        )
    if not hmac.compare_digest(str(body.get("client_secret", "")), fake.api_secret):
        return fail(BAD_CLIENT)

    with fake.lock:
        if grant == "authorization_code":
            result = _grant_code(fake, shop, body)
        elif grant == TOKEN_EXCHANGE:
            result = _grant_exchange(fake, shop, body)
        elif grant == "refresh_token":
            result = _grant_refresh(fake, shop, body)
        else:
            result = (
                "unsupported_grant_type",
                f"The grant type {grant!r} is not supported for this application.",
            )
    if isinstance(result, tuple):
        return fail(result)
    entry["ok"] = True
    entry["access_token"] = result["access_token"]
    entry["refresh_token"] = result.get("refresh_token")
    return _json(200, result), entry


def _grant_code(
    fake: FakeShopify, shop: FakeShop, body: dict[str, Any]
) -> dict[str, Any] | tuple[str, str]:
    record = shop.auth_codes.get(str(body.get("code", "")))
    if record is None or record.used or record.expires_at <= fake.clock.now():
        return INVALID_CODE
    record.used = True
    install(fake, shop, record.scope)
    if record.per_user:
        return issue_online(fake, shop, "authorization_code", user_id=42)
    return issue_offline(fake, shop, "authorization_code", is_expiring(body.get("expiring")))


def _grant_exchange(
    fake: FakeShopify, shop: FakeShop, body: dict[str, Any]
) -> dict[str, Any] | tuple[str, str]:
    subject = body.get("subject_token")
    if not subject:
        return ("missing_subject_token", "The subject_token parameter is missing.")
    if body.get("subject_token_type") != ID_TOKEN_TYPE:
        return ("invalid_request", "The subject_token_type is not supported.")
    requested = body.get("requested_token_type")
    if requested not in (OFFLINE_TOKEN_TYPE, ONLINE_TOKEN_TYPE):
        return ("invalid_request", "The requested_token_type is not supported.")
    claims = check_session_token(fake, str(subject), shop.domain)
    if claims is None:
        return INVALID_SUBJECT
    if not shop.installed:
        return NOT_INSTALLED
    if requested == ONLINE_TOKEN_TYPE:
        try:
            user_id = int(claims.get("sub", 0))
        except (TypeError, ValueError):
            user_id = 0
        return issue_online(fake, shop, "token_exchange", user_id=user_id)
    return issue_offline(fake, shop, "token_exchange", is_expiring(body.get("expiring")))


def _grant_refresh(
    fake: FakeShopify, shop: FakeShop, body: dict[str, Any]
) -> dict[str, Any] | tuple[str, str]:
    now = fake.clock.now()
    record = shop.refresh_tokens.get(str(body.get("refresh_token", "")))
    if record is None or record.revoked or record.retired or record.expires_at <= now:
        return INVALID_REFRESH
    if record.first_used_at is not None and now - record.first_used_at > REFRESH_RECOVERY:
        return INVALID_REFRESH
    if not shop.installed:
        return INVALID_REFRESH
    # The pair this token issued before (a lost response) is replaced by the new one.
    if record.successor is not None:
        lost = shop.refresh_tokens.get(record.successor)
        if lost is not None:
            lost.revoked = True
            if lost.access_token in shop.access_tokens:
                shop.access_tokens[lost.access_token].revoked = True
    # Using this token means its predecessor's replacement is in use: retire the predecessor.
    if record.predecessor is not None and record.predecessor in shop.refresh_tokens:
        shop.refresh_tokens[record.predecessor].retired = True
    if record.access_token in shop.access_tokens:
        shop.access_tokens[record.access_token].revoked = True
    access, refresh = new_pair(fake, shop, "refresh_token", predecessor=record.token)
    record.successor = refresh.token
    if record.first_used_at is None:
        record.first_used_at = now
    return pair_payload(access, refresh, ",".join(shop.granted_scopes))
