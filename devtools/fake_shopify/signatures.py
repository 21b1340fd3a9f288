"""What the fake signs: query HMACs, the ``host`` parameter, and App Bridge session tokens.

Queries are signed as Shopify's libraries verify them (``hmac`` dropped, sorted, form-encoded,
joined with ``&``, hex HMAC-SHA256 with the client secret); session tokens are HS256 JWTs
stamped with the fake clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import jwt

if TYPE_CHECKING:
    from .fake import FakeShopify

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
