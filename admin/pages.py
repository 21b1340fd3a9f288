"""The embedded admin's documents: ``GET /`` (home), ``/settings``, ``/rewards``, ``/tiers``,
``/vouchers``, ``/stamp-cards``, ``/members``, ``/members/<customer_id>`` and ``/campaigns`` (list,
``new``, ``<id>``) (SHOPIFY.md §3).

A document holds no shop data: it is the shell (App Bridge, Polaris, the nav and the page's
empty form); ``admin.js`` then fetches the data from ``/api`` with session tokens. So a page
needs no authentication, except on the first load, which carries ``id_token``: that one is
verified and, when the shop has no usable offline token, exchanged for one (the install).

How a request is answered:

- no ``shop``: the public landing page (no shop-domain form: the App Store forbids manual entry);
- an invalid ``shop``: 400;
- ``shop`` without ``embedded=1`` (opened outside the admin): 302 into the admin;
- ``embedded=1`` with an ``id_token`` that fails verification: a 401 page with App Bridge's
  retry header, and no token exchange; a valid one: install if needed, then the shell;
- ``embedded=1`` without ``id_token`` (in-app navigation): the shell.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    make_response,
    redirect,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from admin import static_assets
from admin.auth import RETRY_HEADER, installed_shop, verify_request_token
from admin.install import install_from_id_token
from i18n import normalise
from loyalty.core.ids import id_from_text
from loyalty.onboarding.setup_guide import guide_state
from loyalty.shopify.errors import InvalidSubjectToken, ShopifyError, ShopifyTimeout
from loyalty.shopify.session_tokens import InvalidSessionToken
from loyalty.shopify.signatures import is_valid_shop_domain
from runtime import current_runtime

log = logging.getLogger(__name__)

bp = Blueprint("pages", __name__, static_folder="static", static_url_path="/admin/static")
static_assets.register(bp)  # fingerprinted URLs, a year's cache, gzip

NAV = (
    ("/members", _l("Members")),
    ("/rewards", _l("Rewards")),
    ("/tiers", _l("VIP tiers")),
    ("/stamp-cards", _l("Stamp cards")),
    ("/vouchers", _l("Spend vouchers")),
    ("/referrals", _l("Referrals")),
    ("/campaigns", _l("Campaigns")),
    ("/settings", _l("Program settings")),
    ("/appearance", _l("Widget appearance")),
    ("/backfill", _l("Backfill")),
    ("/import", _l("Import")),
    ("/privacy-requests", _l("Privacy requests")),
    ("/failed-events", _l("Failed events")),
)
"""The app's pages in the admin's sidebar (``<s-app-nav>``); the app name links home (``/``)."""

SHOPIFY_ADMIN_ORIGIN = "https://admin.shopify.com"


def frame_ancestors(shop: str) -> str:
    """The CSP that lets only the shop's admin frame the app (and the fake admin in tests)."""
    origins = [f"https://{shop}", SHOPIFY_ADMIN_ORIGIN]
    parts = urlsplit(current_runtime().config.shop_origin(shop))
    configured = f"{parts.scheme}://{parts.netloc}"
    if configured not in origins:
        origins.append(configured)
    return f"frame-ancestors {' '.join(origins)};"


def app_link(path: str, shop: str, host: str | None) -> str:
    """A link to another page of the app that keeps the embedded context and the admin's
    language (never the token)."""
    query = {"embedded": "1", "shop": shop}
    if host:
        query["host"] = host
    locale = normalise(request.args.get("locale"))
    if locale:
        query["locale"] = locale
    return f"{path}?{urlencode(query)}"


def _host_param() -> str | None:
    """The admin's ``host`` (base64 of the admin's host) if it looks like one, else None."""
    host = request.args.get("host", "")
    ok = 0 < len(host) <= 255 and all(c.isalnum() or c in "+/=-_" for c in host)
    return host if ok else None


def _embedded(response: Response, shop: str) -> Response:
    response.headers["Content-Security-Policy"] = frame_ancestors(shop)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _message(
    status: int, shop: str | None, title: str, text: str, bounce: bool = False
) -> Response:
    """A short page for an error; with ``bounce`` it loads App Bridge to retry with a token."""
    config = current_runtime().config
    html = render_template(
        "admin/message.html",
        title=title,
        text=text,
        bounce=bounce,
        api_key=config.shopify_api_key,
        cdn=config.shopify_cdn_url,
    )
    response = make_response(html, status)
    if shop is not None:
        _embedded(response, shop)
    return response


def _session_expired(shop: str) -> Response:
    response = _message(
        401,
        shop,
        _("Your session has expired"),
        _("Reload the page to continue."),
        bounce=True,
    )
    response.headers[RETRY_HEADER] = "1"
    return response


def _install_if_needed(shop: str, id_token: str) -> Response | None:
    """Verify the first load's ``id_token`` and install the shop; an error page, or None."""
    try:
        claims = verify_request_token(id_token)
    except InvalidSessionToken as err:
        log.info("embedded load for %s: %s", shop, err)
        return _session_expired(shop)
    if claims.shop != shop:
        log.info("embedded load for %s carried a token for another shop", shop)
        return _session_expired(shop)
    try:
        install_from_id_token(shop, id_token)
    except InvalidSubjectToken:
        log.info("token exchange for %s refused the session token", shop)
        return _session_expired(shop)
    except ShopifyTimeout:
        return _message(
            504, shop, _("Shopify did not answer in time"), _("Please reload the page.")
        )
    except ShopifyError as err:
        log.warning("token exchange for %s failed: %s", shop, err.code)
        return _message(502, shop, _("Could not connect to Shopify"), _("Please reload the page."))
    return None


def render_admin_page(path: str, template: str, **context: object) -> BaseResponse:
    """Answer a document request for one admin page, as the module docstring lays out.

    ``context`` goes to the template as it is (values from the URL, already checked).
    """
    config = current_runtime().config
    shop = request.args.get("shop")
    if not shop:
        landing = make_response(render_template("admin/landing.html"))
        landing.headers["Content-Security-Policy"] = "frame-ancestors 'none';"
        return landing
    if not is_valid_shop_domain(shop):
        return _message(
            400, None, _("This is not a Shopify shop"), _("Open Klubb from your Shopify admin.")
        )
    if request.args.get("embedded") != "1":
        suffix = "" if path == "/" else path
        target = f"{config.shop_origin(shop)}/admin/apps/{config.shopify_api_key}{suffix}"
        return redirect(target, code=302)
    id_token = request.args.get("id_token")
    if id_token:
        failed = _install_if_needed(shop, id_token)
        if failed is not None:
            return failed
    host = _host_param()
    html = render_template(
        template,
        api_key=config.shopify_api_key,
        cdn=config.shopify_cdn_url,
        shop=shop,
        nav=NAV,
        link=lambda target: app_link(target, shop, host),
        **context,
    )
    return _embedded(make_response(html), shop)


@bp.get("/")
def home() -> BaseResponse:
    """The admin's home: what the program does now, and where to change it."""
    return render_admin_page("/", "admin/home.html", setup_guide=_setup_guide_on_load)


def _setup_guide_on_load() -> dict[str, bool] | None:
    """The setup guide's server half when this load carries a valid session token for the shop
    (Shopify's loads of the app do), so the page paints the guide as it will stay instead of
    moving everything below it once the API answers; None otherwise (the page asks the API).
    Called by the template, after :func:`render_admin_page` has installed the shop."""
    token, shop = request.args.get("id_token"), request.args.get("shop")
    if not token or not shop:
        return None
    try:
        claims = verify_request_token(token)
    except InvalidSessionToken:
        return None
    found = installed_shop(shop) if claims.shop == shop else None
    return None if found is None else guide_state(current_runtime().sessions, found.id)


@bp.get("/settings")
def settings() -> BaseResponse:
    """Program settings: the earning rules' parameters, edited in a form."""
    return render_admin_page("/settings", "admin/settings.html")


@bp.get("/rewards")
def rewards() -> BaseResponse:
    """Rewards: the catalogue, with create, edit and disable."""
    return render_admin_page("/rewards", "admin/rewards.html")


@bp.get("/tiers")
def tiers() -> BaseResponse:
    """VIP tiers: the ladder, with create, edit, reorder and delete."""
    return render_admin_page("/tiers", "admin/tiers.html")


@bp.get("/vouchers")
def vouchers() -> BaseResponse:
    """Spend vouchers: the rules, and the vouchers issued with their state and liability."""
    return render_admin_page("/vouchers", "admin/vouchers.html")


@bp.get("/stamp-cards")
def stamp_cards() -> BaseResponse:
    """Stamp cards: the cards with their members and rewards, create (products and collections
    through App Bridge's resource picker), edit and end."""
    return render_admin_page("/stamp-cards", "admin/stamp_cards.html")


@bp.get("/referrals")
def referrals() -> BaseResponse:
    """Referrals: counts per state, points paid, and the newest referrals with their states."""
    return render_admin_page("/referrals", "admin/referrals.html")


@bp.get("/members")
def members() -> BaseResponse:
    """Members: search, filters, sort, pages and CSV export."""
    return render_admin_page("/members", "admin/members.html")


@bp.get("/members/<customer_id>")
def member(customer_id: str) -> BaseResponse:
    """One member: profile, consents, balance, ledger and a manual adjustment."""
    if id_from_text(customer_id) is None:
        abort(404)
    return render_admin_page(
        f"/members/{customer_id}", "admin/member.html", customer_id=customer_id
    )


@bp.get("/campaigns")
def campaigns() -> BaseResponse:
    """Campaigns: the list, newest first, each linking to its results."""
    return render_admin_page("/campaigns", "admin/campaigns.html")


@bp.get("/campaigns/new")
def campaign_new() -> BaseResponse:
    """A new campaign: its segment, message per language, offer, preview, test and schedule."""
    return render_admin_page("/campaigns/new", "admin/campaign_edit.html")


@bp.get("/campaigns/<campaign_id>")
def campaign(campaign_id: str) -> BaseResponse:
    """One campaign: its state, counts, results and store visits; pause and resume."""
    if id_from_text(campaign_id) is None:
        abort(404)
    return render_admin_page(
        f"/campaigns/{campaign_id}", "admin/campaign.html", campaign_id=campaign_id
    )
