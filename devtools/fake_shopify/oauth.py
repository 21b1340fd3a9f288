"""Install and tokens: the authorize redirect, the token endpoint, session tokens, HMACs.

Error bodies follow what Shopify returns (see the package README section in ``__init__``):
400 with ``{"error": ..., "error_description": ...}`` for every refused grant.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import jwt
from werkzeug.wrappers import Request, Response

from .ids import new_token
from .records import AccessToken, AuthorizationCode, RefreshToken
from .state import FakeShop

if TYPE_CHECKING:
    from .fake import FakeShopify

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"
ONLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:online-access-token"

ACCESS_TOKEN_TTL = 3600  # expiring offline access tokens
ONLINE_TOKEN_TTL = 86399  # online (per-user) access tokens
REFRESH_TOKEN_TTL = 7_776_000  # 90 days
REFRESH_RECOVERY = 30 * 86400  # a used refresh token stays retryable this long at most
CODE_TTL = 60  # authorization codes

SESSION_TOKEN_LEEWAY = 5  # seconds the token endpoint tolerates on exp/nbf

# ---------------------------------------------------------------------------------------
# HMACs and host


def form_encode(value: str) -> str:
    """Encode like ``application/x-www-form-urlencoded`` (WHATWG ``URLSearchParams``)."""
    out = []
    for byte in value.encode():
        char = chr(byte)
        if char.isascii() and (char.isalnum() or char in "*-._"):
            out.append(char)
        elif char == " ":
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def query_hmac_message(params: dict[str, str]) -> str:
    """The message Shopify signs for a query: ``hmac``/``signature`` dropped, sorted by key,
    ``key=value`` form-encoded and joined with ``&`` (what Shopify's libraries verify)."""
    items = sorted((k, v) for k, v in params.items() if k not in ("hmac", "signature"))
    return "&".join(f"{form_encode(k)}={form_encode(v)}" for k, v in items)


def query_hmac(params: dict[str, str], secret: str) -> str:
    """Lowercase hex HMAC-SHA256 of :func:`query_hmac_message` with the client secret."""
    message = query_hmac_message(params).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_query_hmac(params: dict[str, str], secret: str) -> bool:
    """Whether ``params['hmac']`` is Shopify's signature of the other parameters."""
    given = params.get("hmac", "")
    return hmac.compare_digest(given, query_hmac(params, secret))


def host_param(shop: str) -> str:
    """The ``host`` parameter: base64 of ``admin.shopify.com/store/<handle>``, no padding."""
    handle = shop.split(".", 1)[0]
    raw = f"admin.shopify.com/store/{handle}".encode()
    return base64.b64encode(raw).decode().rstrip("=")


def add_query(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` appended to its query (form-encoded)."""
    parts = urlsplit(url)
    query = "&".join(f"{form_encode(k)}={form_encode(v)}" for k, v in params.items())
    joined = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, parts.fragment))


# ---------------------------------------------------------------------------------------
# Session tokens (App Bridge id tokens)


def make_session_token(
    fake: FakeShopify,
    shop: str,
    *,
    sub: str = "42",
    exp_in: int = 60,
    nbf_offset: int = 0,
    secret: str | None = None,
    aud: str | None = None,
    iss: str | None = None,
    dest: str | None = None,
) -> str:
    """An HS256 session token as App Bridge hands to the app, stamped with the fake clock."""
    now = int(fake.clock.now())
    claims = {
        "iss": iss if iss is not None else f"https://{shop}/admin",
        "dest": dest if dest is not None else f"https://{shop}",
        "aud": aud if aud is not None else fake.api_key,
        "sub": str(sub),
        "exp": now + exp_in,
        "nbf": now + nbf_offset,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "sid": secrets.token_hex(16),
    }
    return jwt.encode(claims, secret if secret is not None else fake.api_secret, "HS256")


def check_session_token(fake: FakeShopify, token: str, shop: str) -> dict[str, Any] | None:
    """The claims of a valid session token for ``shop`` (by the fake clock), else None."""
    try:
        claims = jwt.decode(
            token,
            fake.api_secret,
            algorithms=["HS256"],
            audience=fake.api_key,
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
        )
    except jwt.PyJWTError:
        return None
    now = fake.clock.now()
    try:
        exp = float(claims["exp"])
        nbf = float(claims.get("nbf", claims.get("iat", 0)))
    except (KeyError, TypeError, ValueError):
        return None
    if now > exp + SESSION_TOKEN_LEEWAY or now < nbf - SESSION_TOKEN_LEEWAY:
        return None
    if claims.get("dest") != f"https://{shop}" or claims.get("iss") != f"https://{shop}/admin":
        return None
    return claims


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


def issue_offline(fake: FakeShopify, shop: FakeShop, grant: str, expiring: bool) -> dict[str, Any]:
    """Mint an offline token (and refresh token if ``expiring``); the token response body."""
    now = fake.clock.now()
    scope = ",".join(shop.granted_scopes)
    if not expiring:
        # Shopify hands out the same non-expiring offline token until it is revoked.
        for existing in shop.access_tokens.values():
            if (
                existing.mode == "offline"
                and existing.expires_at is None
                and existing.valid_at(now)
            ):
                existing.scope = scope
                return {"access_token": existing.token, "scope": scope}
        access = AccessToken(
            token=new_token("shpat_"),
            shop=shop.domain,
            scope=scope,
            mode="offline",
            issued_at=now,
            expires_at=None,
            grant=grant,
        )
        shop.access_tokens[access.token] = access
        return {"access_token": access.token, "scope": scope}
    access, refresh = _new_pair(fake, shop, grant, predecessor=None)
    return _pair_payload(access, refresh, scope)


def _new_pair(
    fake: FakeShopify, shop: FakeShop, grant: str, predecessor: str | None
) -> tuple[AccessToken, RefreshToken]:
    now = fake.clock.now()
    access = AccessToken(
        token=new_token("shpat_"),
        shop=shop.domain,
        scope=",".join(shop.granted_scopes),
        mode="offline",
        issued_at=now,
        expires_at=now + ACCESS_TOKEN_TTL,
        grant=grant,
    )
    refresh = RefreshToken(
        token=new_token("shprt_"),
        shop=shop.domain,
        issued_at=now,
        expires_at=now + REFRESH_TOKEN_TTL,
        access_token=access.token,
        predecessor=predecessor,
    )
    shop.access_tokens[access.token] = access
    shop.refresh_tokens[refresh.token] = refresh
    return access, refresh


def _pair_payload(access: AccessToken, refresh: RefreshToken, scope: str) -> dict[str, Any]:
    return {
        "access_token": access.token,
        "expires_in": ACCESS_TOKEN_TTL,
        "refresh_token": refresh.token,
        "refresh_token_expires_in": REFRESH_TOKEN_TTL,
        "scope": scope,
    }


def _issue_online(fake: FakeShopify, shop: FakeShop, grant: str, user_id: int) -> dict[str, Any]:
    now = fake.clock.now()
    scope = ",".join(shop.granted_scopes)
    access = AccessToken(
        token=new_token("shpua_"),
        shop=shop.domain,
        scope=scope,
        mode="online",
        issued_at=now,
        expires_at=now + ONLINE_TOKEN_TTL,
        grant=grant,
        user_id=user_id,
    )
    shop.access_tokens[access.token] = access
    return {
        "access_token": access.token,
        "scope": scope,
        "expires_in": ONLINE_TOKEN_TTL,
        "associated_user_scope": scope,
        "associated_user": {
            "id": user_id,
            "first_name": "Staff",
            "last_name": f"Member {user_id}",
            "email": f"staff{user_id}@{shop.domain}",
            "email_verified": True,
            "account_owner": user_id == 42,
            "locale": shop.locale,
            "collaborator": False,
        },
    }


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


def _grant_code(
    fake: FakeShopify, shop: FakeShop, body: dict[str, Any]
) -> dict[str, Any] | tuple[str, str]:
    record = shop.auth_codes.get(str(body.get("code", "")))
    if record is None or record.used or record.expires_at <= fake.clock.now():
        return INVALID_CODE
    record.used = True
    install(fake, shop, record.scope)
    if record.per_user:
        return _issue_online(fake, shop, "authorization_code", user_id=42)
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
        return _issue_online(fake, shop, "token_exchange", user_id=user_id)
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
    access, refresh = _new_pair(fake, shop, "refresh_token", predecessor=record.token)
    record.successor = refresh.token
    if record.first_used_at is None:
        record.first_used_at = now
    return _pair_payload(access, refresh, ",".join(shop.granted_scopes))
