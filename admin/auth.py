"""Session-token authentication for the embedded admin's ``/api`` (SHOPIFY.md §2).

App Bridge adds ``Authorization: Bearer <session token>`` to every ``fetch`` the admin makes.
:func:`session_token_required` verifies it, loads the installed shop it names, and puts it in
``g.shop`` (with the staff user in ``g.staff_user_id``); views scope every query by
``g.shop.id``. Every failure is the same 401 with ``X-Shopify-Retry-Invalid-Session-Request: 1``,
which tells App Bridge to fetch a fresh token and retry the request once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, g, request
from sqlalchemy import select

from errors import json_error
from loyalty.core.models import Shop
from loyalty.shopify.session_tokens import InvalidSessionToken, SessionToken, verify_session_token
from runtime import current_runtime

log = logging.getLogger(__name__)

RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request"

F = TypeVar("F", bound=Callable[..., Any])


def unauthorized(code: str, message: str) -> Response:
    """The 401 every failed session-token check answers, with App Bridge's retry header."""
    response = json_error(401, code, message)
    response.headers[RETRY_HEADER] = "1"
    return response


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None when there is none."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


def verify_request_token(token: str) -> SessionToken:
    """Verify a session token with this app's key and secrets (raises InvalidSessionToken)."""
    config = current_runtime().config
    return verify_session_token(token, config.shopify_api_key, config.secrets)


def installed_shop(domain: str) -> Shop | None:
    """The shop with that domain if it is installed now (not uninstalled), else None."""
    with current_runtime().sessions() as session:
        shop = session.scalar(select(Shop).where(Shop.domain == domain))
        if shop is None or not shop.is_installed:
            return None
        session.expunge(shop)
        return shop


def session_token_required(view: F) -> F:
    """Decorate an ``/api`` view: it runs only for a valid token of an installed shop."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = bearer_token()
        if token is None:
            log.info("api %s: no bearer session token", request.path)
            return unauthorized("missing_session_token", "A session token is required.")
        try:
            claims = verify_request_token(token)
        except InvalidSessionToken as err:
            log.info("api %s: %s", request.path, err)
            return unauthorized("invalid_session_token", "The session token is not valid.")
        shop = installed_shop(claims.shop)
        if shop is None:
            log.info("api %s: shop %s is not installed", request.path, claims.shop)
            return unauthorized("shop_not_installed", "The app is not installed on this shop.")
        g.shop = shop
        g.staff_user_id = claims.user_id
        return view(*args, **kwargs)

    return cast(F, wrapper)


def current_shop() -> Shop:
    """The shop the current ``/api`` request is authenticated for."""
    return cast(Shop, g.shop)
