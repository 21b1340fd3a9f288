"""The widget's JSON API under ``/proxy/api`` (DESIGN.md, HTTP)."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify

from loyalty.members.storefront import member_summary
from runtime import current_runtime
from widgets.proxy_auth import no_store, proxy_request
from widgets.ratelimit import rate_limited

bp = Blueprint("widget_api", __name__, url_prefix="/proxy/api")
bp.after_request(no_store)


@bp.get("/member")
@proxy_request
@rate_limited
def member() -> Response:
    """The program, the rewards, and the signed-in shopper's balance (null for guests)."""
    shopper = g.shopper
    return jsonify(member_summary(current_runtime().sessions, shopper.shop_id, shopper.customer_id))
