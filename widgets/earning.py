"""Ways to earn in the widget: ``POST /proxy/api/me/follows`` credits a follow of the shop.

The widget links to the shop's profile (``ways_to_earn`` of ``GET /proxy/api/member``), opening
it in a new tab, and claims the follow as it does: the honour system, once per network and
customer (:mod:`loyalty.club.earning_actions`). Like the member's other actions it takes a JSON
body and an ``Idempotency-Key``; the shopper is only ever ``g.shopper``. The new balance
reaches Shopify's metafield through the coalesced balance sync.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify

from errors import json_error
from jobs.engine import enqueue_balance_sync
from loyalty.club import earning_actions
from loyalty.club.earning_actions import EarningPaused
from runtime import current_runtime
from widgets.api import member_route, proxy_api
from widgets.me import member_change
from widgets.proxy_auth import no_store

bp = Blueprint("widget_earning", __name__, url_prefix="/proxy/api/me")
bp.after_request(no_store)
earning_api = proxy_api.on(bp, "/proxy/api/me")


@bp.errorhandler(EarningPaused)
def _paused(err: EarningPaused) -> Response:
    return json_error(403, err.code, str(err))


@member_route(
    earning_api,
    "/follows",
    "POST",
    summary="Credit a follow of the shop on a social network (once per network)",
    request="FollowClaim",
    response="FollowCredit",
    description="Sent as the widget opens the shop's profile (its `url` in `ways_to_earn`): "
    "the honour system. The first claim for a network gives its points; any later one, "
    "with another key too, answers `points: 0`.",
    errors=(403,),
    error_notes={
        403: "`earning_paused`: the member restricted processing; or `forbidden_customer`.",
        422: "`validation_failed`: `network` is not one the shop gives points for following.",
    },
)
@member_change
def claim_follow() -> Response:
    """Credit the follow; the points it gave now and the balance after."""
    rt = current_runtime()
    shopper = g.shopper
    credit = earning_actions.claim_follow(rt.sessions, shopper.shop_id, shopper.customer_id, g.body)
    if credit.points:
        enqueue_balance_sync(rt, credit.member_id)
    return jsonify(
        {
            "network": credit.network,
            "points": credit.points,
            "points_balance": credit.points_balance,
        }
    )
