"""The errors of Shopify's token endpoint and Admin API, as the client raises them.

:class:`~loyalty.shopify.client.ShopifyClient` raises these, all rooted in
:class:`loyalty.core.errors.LoyaltyError`::

    ShopifyError                   Shopify answered something we cannot use (``status`` if any)
    ├── ShopifyAuthError           credentials refused: access/refresh token, code, client secret
    │   ├── InvalidSubjectToken    token exchange: the session token was refused
    │   └── ShopNeedsAuthorisation the shop's stored tokens are refused for good (``shop``)
    ├── ShopifyUnavailable         no usable answer: connection failure, 5xx (after retries)
    │   └── ShopifyTimeout         no answer within ``config.shopify_timeout``
    ├── ShopifyThrottled           still THROTTLED after bounded retries (``retry_after``)
    ├── GraphQLError               the query's ``errors`` (``codes``; ``errors`` for the caller)
    └── ShopifyRefused             a mutation's ``userErrors`` (``codes``): the callers' own
                                   subclasses (a discount, a gift card, store credit refused)

Messages carry the shop, the status and Shopify's short error code only.
"""

from __future__ import annotations

import re
from typing import Any

from loyalty.core.errors import LoyaltyError

ERROR_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
"""What Shopify's short error codes look like (anything else is not repeated)."""


class ShopifyError(LoyaltyError):
    """Shopify's token endpoint or Admin API failed."""

    code = "shopify_error"

    def __init__(self, message: str, status: int | None = None, error: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error  # Shopify's short error code, e.g. "invalid_subject_token"


class ShopifyAuthError(ShopifyError):
    """Shopify refused our credentials: an expired or revoked token, a used code, a bad secret."""

    code = "shopify_auth"


class InvalidSubjectToken(ShopifyAuthError):
    """Token exchange refused the session token (answer 401 so App Bridge retries)."""

    code = "invalid_subject_token"


class ShopNeedsAuthorisation(ShopifyAuthError):
    """Shopify refused the shop's stored token (revoked): nothing calls Shopify for the shop
    until its merchant opens the app and a new token is exchanged
    (:mod:`loyalty.shopify.authorisation`)."""

    code = "shop_needs_authorisation"

    def __init__(self, shop: str, status: int | None = None, error: str | None = None) -> None:
        super().__init__(f"{shop} must authorise the app again", status, error)
        self.shop = shop


class ShopifyUnavailable(ShopifyError):
    """Shopify could not be reached or answered 5xx."""

    code = "shopify_unavailable"


class ShopifyTimeout(ShopifyUnavailable):
    """Shopify did not answer in time."""

    code = "shopify_timeout"


class ShopifyThrottled(ShopifyError):
    """The shop's query-cost bucket stayed empty; try again after ``retry_after`` seconds."""

    code = "shopify_throttled"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message, status=None, error="THROTTLED")
        self.retry_after = retry_after


class GraphQLError(ShopifyError):
    """The GraphQL response carried errors other than throttling."""

    code = "graphql_error"

    def __init__(self, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        # Messages may echo the variables (personal data): for the caller, never for a log.
        self.errors = errors
        self.codes = [error_code_of(e) for e in errors]


class ShopifyRefused(ShopifyError):
    """A mutation answered with ``userErrors``: Shopify will not do it; ``codes`` are theirs."""

    code = "shopify_refused"

    def __init__(self, message: str, codes: list[str]) -> None:
        super().__init__(message)
        self.codes = codes


def user_error_codes(payload: Any) -> list[str]:
    """The codes of a mutation payload's ``userErrors`` (``INVALID`` where one has none)."""
    errors = (payload.get("userErrors") if isinstance(payload, dict) else None) or []
    return [str(e.get("code") or "INVALID") for e in errors if isinstance(e, dict)]


def error_code_of(error: Any) -> str:
    """A GraphQL error's ``extensions.code`` if it looks like one, else ``error``."""
    if isinstance(error, dict):
        code = (error.get("extensions") or {}).get("code")
        if isinstance(code, str) and ERROR_CODE.match(code):
            return code
    return "error"
