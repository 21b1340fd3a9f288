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
from loyalty.shopify.signatures import is_valid_shop_domain

LEEWAY_SECONDS = 10  # App Bridge sometimes sends an nbf slightly in the future


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
    """Verify signature, audience, lifetime (10 s leeway) and that ``iss`` and ``dest`` agree."""
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
        except jwt.PyJWTError as err:
            raise InvalidSessionToken(f"session token rejected: {type(err).__name__}") from None
    if claims is None:
        raise InvalidSessionToken("session token signature does not match")
    dest = urlsplit(str(claims["dest"]))
    iss = urlsplit(str(claims["iss"]))
    if dest.scheme != "https" or (iss.scheme, iss.netloc) != (dest.scheme, dest.netloc):
        raise InvalidSessionToken("session token iss and dest differ")
    if not is_valid_shop_domain(dest.hostname) or dest.port is not None:
        raise InvalidSessionToken("session token dest is not a shop")
    sub = claims.get("sub")
    return SessionToken(
        shop=str(dest.hostname),
        user_id=str(sub) if sub is not None else None,
        session_id=claims.get("sid"),
        raw=token,
    )
