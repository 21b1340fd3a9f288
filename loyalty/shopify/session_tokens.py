"""App Bridge session tokens: verification as SHOPIFY.md §2 says.

A session token is an HS256 JWT signed with the app's secret, valid one minute. It proves who
(staff user ``sub``) is using the embedded admin of which shop (``dest``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt

from loyalty.core.errors import LoyaltyError
from loyalty.core.text import is_storable
from loyalty.shopify.signatures import is_valid_shop_domain

LEEWAY_SECONDS = 10  # App Bridge sometimes sends an nbf slightly in the future
MAX_USER_ID = 64  # Shopify's staff ids are numbers; the audit log and ledger keep "staff:<id>"


class InvalidSessionToken(LoyaltyError):
    """The token is missing, malformed, badly signed, expired, or not for this app."""

    code = "invalid_session_token"


@dataclass(frozen=True)
class SessionToken:
    """The verified claims we use."""

    shop: str
    user_id: str | None
    session_id: str | None
    raw: str


def verify_session_token(token: str, api_key: str, secrets: Iterable[str]) -> SessionToken:
    """Verify signature, audience, lifetime (10 s leeway) and that ``iss`` and ``dest`` agree.

    Any token that is not one is :class:`InvalidSessionToken`, whatever its shape: PyJWT lets a
    few through as other errors (text it cannot encode, an ``exp`` of ``1e400``), and a signed
    ``dest`` may not parse as a URL.
    """
    if not token:
        raise InvalidSessionToken("missing session token")
    claims = None
    for secret in secrets:
        try:
            claims = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                audience=api_key,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "nbf", "iss", "dest", "aud"]},
            )
            break
        except jwt.InvalidSignatureError:
            continue
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError) as err:
            raise InvalidSessionToken(f"session token rejected: {type(err).__name__}") from None
    if claims is None:
        raise InvalidSessionToken("session token signature does not match")
    try:
        dest = urlsplit(str(claims["dest"]))
        iss = urlsplit(str(claims["iss"]))
        port = dest.port
    except ValueError:
        raise InvalidSessionToken("session token dest or iss is not a URL") from None
    if dest.scheme != "https" or (iss.scheme, iss.netloc) != (dest.scheme, dest.netloc):
        raise InvalidSessionToken("session token iss and dest differ")
    if not is_valid_shop_domain(dest.hostname) or port is not None:
        raise InvalidSessionToken("session token dest is not a shop")
    sub, sid = claims.get("sub"), claims.get("sid")
    user_id = None if sub is None else str(sub)
    if user_id is not None and (len(user_id) > MAX_USER_ID or not is_storable(user_id)):
        raise InvalidSessionToken("session token sub is not a user id")
    return SessionToken(
        shop=str(dest.hostname),
        user_id=user_id,
        session_id=sid if isinstance(sid, str) else None,
        raw=token,
    )
