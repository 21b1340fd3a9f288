"""App-proxy requests: Shopify's signature, the shop, and the signed-in shopper (SHOPIFY.md §6).

Shopify forwards ``https://{shop}/apps/klubb/…`` to ``/proxy/…`` and adds ``shop``,
``logged_in_customer_id`` (empty for guests), ``path_prefix``, ``timestamp`` and ``signature``.
Everything here trusts those parameters only after the signature and the timestamp check out;
the shopper is never taken from anything they could choose (a body, a path, another parameter).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from flask import Response, g, request
from sqlalchemy import select

from errors import json_error
from jobs.shopify_sync import enqueue_proxy_path_push
from loyalty.core.ids import id_from_text
from loyalty.core.models import Shop
from loyalty.shopify.proxy_path import needs_push
from loyalty.shopify.signatures import is_valid_shop_domain, timestamp_is_fresh, verify_proxy_query
from runtime import current_runtime

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Shopper:
    """Who is asking, as Shopify signed it: the shop, and the customer id or None for a guest."""

    shop_id: int
    shop_domain: str
    customer_id: int | None
    path_prefix: str


def verified_shopper() -> Shopper | Response:
    """The request's verified shopper, or the JSON error response to send instead."""
    rt = current_runtime()
    params = {key: request.args.getlist(key) for key in request.args}
    if not verify_proxy_query(params, rt.config.secrets):
        log.warning("app-proxy request refused: bad signature")
        return json_error(401, "invalid_signature", "The request's signature is not valid.")
    if not timestamp_is_fresh(request.args.get("timestamp"), time.time()):
        return json_error(401, "stale_request", "The request is too old; reload the page.")
    domain = request.args.get("shop", "")
    if not is_valid_shop_domain(domain):
        return json_error(400, "invalid_shop", "The shop parameter is not a shop domain.")
    with rt.sessions() as s:
        shop = s.scalars(select(Shop).where(Shop.domain == domain)).first()
    if shop is None or not shop.is_installed:
        return json_error(404, "shop_not_installed", "Klubb is not installed on this shop.")
    raw_customer = request.args.get("logged_in_customer_id", "")
    customer_id = id_from_text(raw_customer) if raw_customer else None
    if raw_customer and customer_id is None:
        return json_error(400, "invalid_customer", "The signed customer id is not a number.")
    path_prefix = request.args.get("path_prefix", "")
    if needs_push(shop.proxy_path, path_prefix):
        # The merchant moved the proxy (or nobody told the theme yet): its Liquid learns it.
        enqueue_proxy_path_push(rt, shop.id, path_prefix)
    return Shopper(
        shop_id=shop.id, shop_domain=domain, customer_id=customer_id, path_prefix=path_prefix
    )


def proxy_request(view: Callable[P, R]) -> Callable[P, R | Response]:
    """Verify the app-proxy signature before the view runs; the view reads ``g.shopper``."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        shopper = verified_shopper()
        if isinstance(shopper, Response):
            return shopper
        g.shopper = shopper
        return view(*args, **kwargs)

    return wrapper


def signed_in(view: Callable[P, R]) -> Callable[P, R | Response]:
    """Guests get 401 ``sign_in_required``; apply under :func:`proxy_request`."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        if g.shopper.customer_id is None:
            return json_error(401, "sign_in_required", "Sign in to your customer account first.")
        return view(*args, **kwargs)

    return wrapper


def no_store(response: Response) -> Response:
    """Nothing the proxy answers may be cached: it is personal, or depends on who asks."""
    response.headers["Cache-Control"] = "private, no-store"
    return response
