"""Install and tokens at the web edge (SHOPIFY.md §1).

- :func:`install_from_id_token`: Shopify-managed installation. The embedded entry ``GET /``
  verifies the first load's ``id_token`` and calls it; the session token is traded for an
  expiring offline token unless the shop already has a usable one.
- ``GET /auth/install`` and ``GET /auth/callback``: the authorization code grant (the legacy
  install flow), with a one-time state kept in Redis and bound to the shop.

The domain work is :mod:`loyalty.shopify.shops`; its dependencies (the cipher, the Shopify
client, a Redis lock per shop) come from :mod:`runtime`, shared with the jobs; this module turns
its errors into pages. A new install (the first, or again after an uninstall) starts the shop's
backfill (:func:`jobs.backfill.start_install_backfill`). A shop whose tokens Shopify refused
(:mod:`loyalty.shopify.authorisation`) has none usable, so its merchant's next load exchanges
new ones, and the jobs that waited for them run (:mod:`jobs.awaiting_authorisation`).
"""

from __future__ import annotations

import logging
import secrets
import time
from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from jobs.awaiting_authorisation import release_after_authorisation
from jobs.backfill import start_install_backfill
from loyalty.core.models import Shop
from loyalty.shopify.client import TokenSet
from loyalty.shopify.errors import ShopifyError, ShopifyTimeout
from loyalty.shopify.shops import get_installed_shop, has_usable_token, record_install
from loyalty.shopify.signatures import is_valid_shop_domain, timestamp_is_fresh, verify_oauth_query
from runtime import Runtime, current_runtime, shopify_client, token_cipher, token_lock

log = logging.getLogger(__name__)

bp = Blueprint("install", __name__)

STATE_TTL_SECONDS = 600
"""How long a merchant has to approve the install on Shopify's page."""
_STATE_KEY = "klubb:oauth-state:{}"


def install_from_id_token(shop: str, id_token: str) -> Shop:
    """The installed shop for a verified session token, token-exchanging it when needed.

    ``shop`` and ``id_token`` must already be verified (``verify_session_token``). A shop with a
    usable (fresh or refreshable) token and the toml's scopes is returned as it is; otherwise the
    session token is traded for an expiring offline token and the install recorded. Raises
    ``InvalidSubjectToken`` (answer 401 with ``X-Shopify-Retry-Invalid-Session-Request: 1``)
    and the other ``ShopifyError`` subclasses (answer a 502/504 page).
    """
    rt = current_runtime()
    scopes = rt.config.app_toml.scopes
    shop_row = get_installed_shop(rt.sessions, shop)
    if shop_row is not None and has_usable_token(shop_row, scopes):
        return shop_row
    with token_lock(rt)(shop):
        # Two first loads at once exchange once: the second finds the first one's install.
        shop_row = get_installed_shop(rt.sessions, shop)
        if shop_row is not None and has_usable_token(shop_row, scopes):
            return shop_row
        tokens = shopify_client().exchange_session_token(shop, id_token)
        return _record_install(rt, shop, tokens)


@bp.get("/auth/install")
def install() -> ResponseReturnValue:
    """Start the authorization code grant: 302 to the shop's grant page with a one-time state."""
    rt = current_runtime()
    config = rt.config
    shop = request.args.get("shop", "")
    if not is_valid_shop_domain(shop):
        return error_page(
            400, _("This is not a Shopify shop"), _("Install Klubb from your Shopify admin.")
        )
    state = secrets.token_urlsafe(32)
    rt.redis.set(_STATE_KEY.format(state), shop, ex=STATE_TTL_SECONDS)
    query = urlencode(
        {
            "client_id": config.shopify_api_key,
            "scope": ",".join(config.app_toml.scopes),
            "redirect_uri": f"{config.app_url}/auth/callback",
            "state": state,
        }
    )
    return redirect(f"{config.shop_origin(shop)}/admin/oauth/authorize?{query}", code=302)


@bp.get("/auth/callback")
def callback() -> ResponseReturnValue:
    """Finish the grant: check signature, freshness and state, trade the code, store the install."""
    rt = current_runtime()
    config = rt.config
    if any(len(values) > 1 for _, values in request.args.lists()):
        return _refused(400, "repeated parameter")
    params = request.args.to_dict()
    if not verify_oauth_query(params, config.secrets):
        return _refused(400, "bad hmac")
    if not timestamp_is_fresh(params.get("timestamp"), time.time()):
        return _refused(400, "stale timestamp")
    shop = params.get("shop", "")
    if not is_valid_shop_domain(shop):
        return _refused(400, "bad shop domain")
    code = params.get("code", "")
    if not code:
        return _refused(400, "no code")
    state = params.get("state", "")
    bound_to = rt.redis.getdel(_STATE_KEY.format(state)) if state else None
    if isinstance(bound_to, bytes):
        bound_to = bound_to.decode()
    if bound_to != shop:
        log.warning("install callback for %s refused: unknown, used or foreign state", shop)
        return error_page(
            403,
            _("This install link has expired"),
            _("Start the installation again from Shopify."),
        )
    try:
        tokens = shopify_client().exchange_code(shop, code)
    except ShopifyTimeout:
        return error_page(
            504,
            _("Shopify did not answer in time"),
            _("Nothing was installed. Please try again."),
        )
    except ShopifyError as err:
        log.warning("code exchange for %s failed: %s", shop, err.code)
        return error_page(
            502,
            _("Shopify refused the installation"),
            _("Nothing was installed. Please try again."),
        )
    _record_install(rt, shop, tokens)
    # Into the embedded admin through the verified shop's own origin (Shopify forwards
    # https://{shop}/admin/apps/{key} to admin.shopify.com); the `host` parameter is not decoded
    # into a redirect target.
    return redirect(f"{config.shop_origin(shop)}/admin/apps/{config.shopify_api_key}", code=302)


def _record_install(rt: Runtime, shop: str, tokens: TokenSet) -> Shop:
    """Store the install; a new one (first, or after an uninstall) starts the shop's backfill,
    and the jobs that waited for new tokens (Shopify had refused the old ones) run now."""
    installed = record_install(rt.sessions, token_cipher(), shop, tokens)
    if installed.new:
        start_install_backfill(rt, installed.shop.id, installed.shop.scopes or "")
    if installed.reauthorised:
        release_after_authorisation(rt, shop)
    return installed.shop


def _refused(status: int, reason: str) -> tuple[str, int]:
    log.warning("install callback refused: %s", reason)
    return error_page(status, _("This install link is not valid"), _("Install Klubb from Shopify."))


def error_page(status: int, title: str, message: str) -> tuple[str, int]:
    """A plain HTML error page (no scripts) for the install flow."""
    html = render_template("install/error.html", status=status, title=title, message=message)
    return html, status


@bp.after_request
def _no_store(response: Response) -> Response:
    """Install answers carry one-time values: never cache them."""
    response.headers["Cache-Control"] = "no-store"
    return response
