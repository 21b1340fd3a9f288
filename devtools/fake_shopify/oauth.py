"""Install: the authorize redirect (classic OAuth's code), the scopes an app may hold, and
marking the app installed on a shop."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from .records import AuthorizationCode
from .signatures import add_query, host_param, query_hmac
from .state import FakeShop

if TYPE_CHECKING:
    from .fake import FakeShopify

CODE_TTL = 60  # authorization codes

# ---------------------------------------------------------------------------------------
# Authorize


def _html_error(status: int, text: str) -> Response:
    body = f"<!DOCTYPE html><html><body><h1>{status}</h1><p>{text}</p></body></html>"
    return Response(body, status=status, content_type="text/html; charset=utf-8")


def allowed_scopes(scope_text: str) -> set[str]:
    """Scopes an app may hold given its configured list (``write_x`` implies ``read_x``)."""
    result: set[str] = set()
    for scope in (s.strip() for s in scope_text.split(",")):
        if not scope:
            continue
        result.add(scope)
        if scope.startswith("write_"):
            result.add("read_" + scope[len("write_") :])
        if scope.startswith("unauthenticated_write_"):
            result.add("unauthenticated_read_" + scope[len("unauthenticated_write_") :])
    return result


def authorize(fake: FakeShopify, shop: FakeShop, request: Request) -> Response:
    """``GET /{shop}/admin/oauth/authorize``: check the request, approve, redirect with a code."""
    args = request.args
    client_id = args.get("client_id", "")
    if client_id != fake.api_key:
        return _html_error(
            400,
            "Oauth error invalid_request: Could not find Shopify API application "
            f"with api_key {client_id}",
        )
    redirect_uri = args.get("redirect_uri", "")
    if not any(
        redirect_uri == fake.app_url or redirect_uri.startswith(fake.app_url + sep) for sep in "/?"
    ):
        return _html_error(400, "Oauth error invalid_request: The redirect_uri is not whitelisted")
    requested = [s.strip() for s in args.get("scope", "").split(",") if s.strip()]
    not_allowed = [s for s in requested if s not in allowed_scopes(fake.scopes)]
    if not_allowed:
        return _html_error(
            400,
            "Oauth error invalid_scope: The following scopes are not allowed for this "
            f"app: {', '.join(not_allowed)}",
        )
    per_user = "per-user" in args.getlist("grant_options[]")
    with fake.lock:
        code = secrets.token_hex(16)
        shop.auth_codes[code] = AuthorizationCode(
            code=code,
            shop=shop.domain,
            scope=",".join(requested) if requested else fake.scopes,
            per_user=per_user,
            expires_at=fake.clock.now() + CODE_TTL,
        )
    params = {
        "code": code,
        "host": host_param(shop.domain),
        "shop": shop.domain,
        "timestamp": str(int(fake.clock.now())),
    }
    if "state" in args:
        params["state"] = args["state"]
    params["hmac"] = query_hmac(params, fake.api_secret)
    response = Response(status=302)
    response.headers["Location"] = add_query(redirect_uri, params)
    return response


def install(fake: FakeShopify, shop: FakeShop, scope_text: str) -> None:
    """Mark the app installed on ``shop`` with the given scopes (lock held by the caller)."""
    if not shop.installed:
        shop.installed_at = fake.clock.now()
    shop.installed = True
    granted = [s.strip() for s in scope_text.split(",") if s.strip()]
    shop.granted_scopes = sorted(
        set(shop.granted_scopes) | set(granted), key=granted_order(granted)
    )


def granted_order(preferred: list[str]) -> Any:
    """Sort key keeping the order scopes were asked in, others after."""
    index = {s: i for i, s in enumerate(preferred)}
    return lambda s: (index.get(s, len(index)), s)
