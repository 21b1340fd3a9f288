"""Shopify's three request signatures, and the shop-domain rule (SHOPIFY.md §1, §4, §6).

Each check is one small function compared in constant time, tried against every accepted
secret (the current one and, during a rotation, the previous one). Each takes any text and
answers True or False, never an exception: text that is not valid Unicode (a lone surrogate)
is compared as the bytes Python keeps for it (``surrogatepass``), which no signature matches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote_plus

from shopify.utils.shop_url import sanitize_shop_domain

from loyalty.core.ids import whole_from_text

SHOP_LABEL_MAX = 63
"""A shop's subdomain is one DNS label: at most 63 characters."""
TIMESTAMP_TOLERANCE = 90  # seconds, as Shopify's own libraries allow


def is_valid_shop_domain(shop: str | None) -> bool:
    """True for ``name.myshopify.com`` and nothing else: no scheme, path, port or upper case.

    ShopifyAPI's ``sanitize_shop_domain`` decides what a shop domain is (its own pattern: a
    label of letters, digits and inner hyphens under ``myshopify.com``). It also *repairs* what
    it is given (adds ``.myshopify.com`` to a bare name, drops a scheme, a path or a query,
    lower-cases, and ``urlparse`` removes tabs and newlines), so only a domain it hands back
    unchanged is accepted; and it has no length limit, so the label's 63 characters are ours.
    """
    if not isinstance(shop, str) or not shop:
        return False
    return sanitize_shop_domain(shop) == shop and len(shop.split(".", 1)[0]) <= SHOP_LABEL_MAX


def _hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def webhook_signature(body: bytes, secret: str) -> str:
    """Base64 HMAC-SHA256 of a webhook's raw body, as in ``X-Shopify-Hmac-Sha256``."""
    return base64.b64encode(_hmac_sha256(secret, body)).decode()


def verify_webhook(body: bytes, header: str | None, secrets: Iterable[str]) -> bool:
    """Check a webhook's ``X-Shopify-Hmac-Sha256`` against the raw body bytes."""
    if not header:
        return False
    given = _bytes(header.strip())
    return any(hmac.compare_digest(webhook_signature(body, s).encode(), given) for s in secrets)


def _form_encode(value: str) -> str:
    """Encode as WHATWG ``URLSearchParams`` does (``*`` kept, ``~`` escaped, space as ``+``)."""
    return quote_plus(value, safe="*", errors="surrogatepass").replace("~", "%7E")


def _oauth_message(params: Mapping[str, str], encode: bool = False) -> bytes:
    pairs = sorted((k, v) for k, v in params.items() if k not in ("hmac", "signature"))
    if encode:
        pairs = [(_form_encode(k), _form_encode(v)) for k, v in pairs]
    return _bytes("&".join(f"{k}={v}" for k, v in pairs))


def oauth_signature(params: Mapping[str, str], secret: str, encode: bool = False) -> str:
    """Hex HMAC of the sorted ``k=v`` pairs joined with ``&`` (OAuth callbacks, admin loads).

    ``encode`` form-encodes keys and values first, as Shopify's own JavaScript library does;
    the two forms differ only when a value holds a reserved character (``/``, ``+``, ``=``…).
    """
    return _hmac_sha256(secret, _oauth_message(params, encode)).hex()


def verify_oauth_query(params: Mapping[str, str], secrets: Iterable[str]) -> bool:
    """Check the ``hmac`` query parameter of an OAuth callback or an admin URL (either form)."""
    given = _bytes(params.get("hmac", ""))
    if not given:
        return False
    return any(
        hmac.compare_digest(oauth_signature(params, s, encode).encode(), given)
        for s in secrets
        for encode in (False, True)
    )


def _proxy_message(params: Mapping[str, Sequence[str]]) -> bytes:
    pairs = sorted((k, ",".join(v)) for k, v in params.items() if k != "signature")
    return _bytes("".join(f"{k}={v}" for k, v in pairs))


def proxy_signature(params: Mapping[str, Sequence[str]], secret: str) -> str:
    """Hex HMAC of the sorted ``k=v`` pairs joined with nothing, repeated values joined by ``,``."""
    return _hmac_sha256(secret, _proxy_message(params)).hex()


def verify_proxy_query(params: Mapping[str, Sequence[str]], secrets: Iterable[str]) -> bool:
    """Check the ``signature`` of an app-proxy request; ``params`` maps a key to all its values."""
    given = params.get("signature", [""])
    if len(given) != 1 or not given[0]:
        return False
    return any(
        hmac.compare_digest(proxy_signature(params, s).encode(), _bytes(given[0])) for s in secrets
    )


def timestamp_is_fresh(
    timestamp: str | None, now: float, tolerance: int = TIMESTAMP_TOLERANCE
) -> bool:
    """True when a signed ``timestamp`` parameter is within ``tolerance`` seconds of ``now``."""
    value = whole_from_text(timestamp)
    return value is not None and abs(now - value) <= tolerance
