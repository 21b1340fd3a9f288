"""The widget's member actions: join the club, redeem a reward, follow a redemption.

``POST /proxy/api/join`` and ``POST /proxy/api/redemptions`` take JSON bodies (anything else is
415) and an ``Idempotency-Key``; the shopper is only ever ``g.shopper`` (Shopify's signed
``logged_in_customer_id``): a body naming another customer is refused, and a redemption is
found only within the shopper's own shop and membership.

Redeeming reserves the points (``loyalty.rewards.redemptions.reserve``) and then, with no transaction
open, gives Shopify a few seconds to create the code: 201 with the code when it does; 202
``reserved`` when it is slow, throttled or failing, with a job on the ``shopify`` queue that
finishes it while the widget polls ``GET /proxy/api/redemptions/{id}``; 502 with the points
already returned when Shopify refuses the code.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, current_app, g, jsonify, request
from rq import Retry

from errors import json_error
from jobs.engine import enqueue_balance_sync, welcome_newcomer
from jobs.queueing import QueueUnavailable, enqueue_once
from jobs.shopify_sync import enqueue_profile_refresh
from loyalty.core.errors import NotFound, ValidationError
from loyalty.core.ids import id_from_json, id_from_text
from loyalty.core.models import RedemptionState, RewardKind, RewardPause
from loyalty.core.types import utcnow
from loyalty.members.enrolment import join as join_club
from loyalty.members.storefront import member_summary
from loyalty.privacy.compliance import customer_hash_keys
from loyalty.rewards import redemptions as rewards
from loyalty.rewards.issuing import issue_code
from loyalty.rewards.redemption_states import take_code_once
from loyalty.rewards.redemption_view import RedemptionView, get_redemption, member_redemption
from loyalty.rewards.redemptions import RedemptionRefused
from loyalty.shopify.client import ShopifyClient
from openapi import Answer, id_schema
from runtime import Runtime, current_runtime, shop_access_token
from widgets.api import REPLAYED, member_route, proxy_api
from widgets.bodies import json_body
from widgets.idempotency import idempotent
from widgets.proxy_auth import no_store, proxy_request, signed_in
from widgets.ratelimit import rate_limited

log = logging.getLogger(__name__)

bp = Blueprint("widget_redemptions", __name__, url_prefix="/proxy/api")
bp.after_request(no_store)
redemption_api = proxy_api.on(bp, "/proxy/api")

FINISH_JOB = "jobs.redemptions.finish_redemption"
CODE_STATES = {RedemptionState.ISSUED, RedemptionState.USED, RedemptionState.EXPIRED}


@bp.errorhandler(RedemptionRefused)
def _refused(err: RedemptionRefused) -> Response:
    return json_error(403, err.code, str(err))


@member_route(
    redemption_api,
    "/join",
    "POST",
    summary="Join the club",
    request="Empty",
    response="MemberSummary",
    description="The signup bonus comes once per customer, even after leaving and joining "
    "again. Joining as a member already is harmless.",
    error_notes={404: "`shop_not_installed`: Klubb is not installed on the shop."},
)
@proxy_request
@rate_limited
@signed_in
@json_body
@idempotent
def join() -> Response:
    """The shopper joins (signup bonus once, even after leaving); the member summary.

    A shopper this request enrolled gets the welcome code and their balance in Shopify, by the
    same jobs as a member enrolled by a webhook.
    """
    rt = current_runtime()
    shopper = g.shopper
    started = utcnow()
    member = join_club(
        rt.sessions,
        shopper.shop_id,
        shopper.customer_id,
        hash_key=customer_hash_keys(rt.config),
        now=started,
    )
    if welcome_newcomer(rt, member.id, started):
        enqueue_balance_sync(rt, member.id)
        if not (member.first_name or member.last_name or member.email):
            enqueue_profile_refresh(rt, member.id)  # one who came back: no webhook describes her
    return jsonify(member_summary(rt.sessions, shopper.shop_id, shopper.customer_id))


@member_route(
    redemption_api,
    "/redemptions",
    "POST",
    summary="Redeem a reward: spend its points on a discount code",
    request="RedemptionRequest",
    response="Redemption",
    answers=(
        Answer(201, "Shopify created the code: the redemption, issued.", headers=REPLAYED),
        Answer(200, "A repeated `Idempotency-Key`: the first redemption.", headers=REPLAYED),
        Answer(
            202,
            "Shopify is slow: the points are reserved and the code follows; poll `Location`.",
            headers=(("Location", "The redemption (`GET …/api/redemptions/{id}`)."), *REPLAYED),
        ),
    ),
    errors=(502,),
    error_notes={
        403: "`redemption_refused` or `not_a_member`: this shopper cannot redeem; or "
        "`forbidden_customer`.",
        404: "No such reward in this shop; or `shop_not_installed`.",
        422: "`not_enough_points`, `reward_unavailable`, `redemption_limit_reached`, "
        "`idempotency_key_reused`, or `reward_id` missing.",
        502: "`code_not_created`: Shopify refused the code (or gift card, or store credit); "
        "`reward_paused`: the free product was deleted or repriced and the reward paused. The "
        "points are back. The body has the redemption (`redemption`, state `returned`) beside "
        "`error`.",
    },
)
@proxy_request
@rate_limited
@signed_in
@json_body
@idempotent
def redeem() -> tuple[Response, int]:
    """Redeem ``{"reward_id": "<id>"}``: 201 issued, 202 reserved, 502 returned (see above)."""
    rt = current_runtime()
    shopper = g.shopper
    reward_id = id_from_json(g.body.get("reward_id"))
    if reward_id is None:
        raise ValidationError({"reward_id": "Send the id of the reward to redeem."})
    key = request.headers["Idempotency-Key"].strip()
    view, created = rewards.reserve(
        rt.sessions, shopper.shop_id, shopper.customer_id, reward_id, idempotency_key=key
    )
    if created:
        view = _issue_now(rt, view)
        # The points spent (or given back at once) reach Shopify's balance metafield.
        enqueue_balance_sync(rt, view.member_id)
    return _answer(view, created)


@member_route(
    redemption_api,
    "/redemptions/<redemption_id>",
    "GET",
    summary="One of the shopper's redemptions (the widget polls it)",
    response="Redemption",
    path={"redemption_id": id_schema("The redemption's id.")},
    error_notes={404: "No such redemption of this shopper; or `shop_not_installed`."},
)
@proxy_request
@rate_limited
@signed_in
def redemption(redemption_id: str) -> Response:
    """One of the shopper's own redemptions (404 for anyone else's): the widget polls this."""
    parsed = id_from_text(redemption_id)
    if parsed is None:
        raise NotFound("no such redemption")
    shopper = g.shopper
    view = member_redemption(
        current_runtime().sessions, shopper.shop_id, shopper.customer_id, parsed
    )
    return jsonify(redemption_json(view))


def _issue_now(rt: Runtime, view: RedemptionView) -> RedemptionView:
    """One quick try at the code; if it stays reserved, the ``shopify`` queue finishes it."""
    try:
        view = issue_code(
            rt.sessions,
            _quick_client(),
            shop_access_token,
            view.id,
            look_first=False,
            give_up=False,
        )
    except Exception as err:  # the points are reserved and stored: the job takes it from here
        log.warning("redemption %s: first try failed (%s)", view.id, type(err).__name__)
        view = get_redemption(rt.sessions, view.id)
    if view.state == RedemptionState.RESERVED:
        _enqueue_finish(rt, view.id)
    return view


def _quick_client() -> ShopifyClient:
    """A Shopify client that answers within the redemption's wait: no retries, short timeout."""
    ext = current_app.extensions
    if "klubb.shopify_client.quick" not in ext:
        rt = current_runtime()
        wait = rt.config.redemption_wait_seconds
        ext["klubb.shopify_client.quick"] = rt.new_shopify_client(
            rt.config.with_overrides(shopify_timeout=wait), max_retries=0, max_throttle_retries=0
        )
    return ext["klubb.shopify_client.quick"]  # type: ignore[no-any-return]


def _enqueue_finish(rt: Runtime, redemption_id: int) -> None:
    intervals = list(rt.config.redemption_retry_intervals)
    try:
        enqueue_once(
            rt,
            "shopify",
            FINISH_JOB,
            redemption_id,
            job_id=f"redemption-{redemption_id}",
            retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
            timeout=120,
        )
    except QueueUnavailable:
        # The periodic release settles it (loyalty.rewards.issuing.release_stale_reservations).
        log.warning("redemption %s: finishing job not enqueued, Redis unavailable", redemption_id)


_PAUSED = {
    RewardPause.PRODUCT_DELETED: "This product is no longer available. Your points have been "
    "returned.",
    RewardPause.PRICE_CHANGED: "This product's price has changed and the reward is paused. Your "
    "points have been returned.",
}


def _answer(view: RedemptionView, created: bool) -> tuple[Response, int]:
    body = redemption_json(view)
    if view.kind == RewardKind.GIFT_CARD and body["code"]:
        # Shown once: a repeat of this request gets the last characters only.
        g.replay_body = json.dumps({**body, "code": None})
    if view.state == RedemptionState.RETURNED:
        error = {
            "code": "code_not_created",
            "message": "Shopify could not create your code. Your points have been returned.",
        }
        if view.paused in _PAUSED:
            error = {"code": "reward_paused", "message": _PAUSED[RewardPause(view.paused)]}
        return jsonify({"error": error, "redemption": body}), 502
    if view.state == RedemptionState.RESERVED:
        response = jsonify(body)
        response.headers["Location"] = f"{g.shopper.path_prefix}/api/redemptions/{view.id}"
        return response, 202
    return jsonify(body), 201 if created else 200


def redemption_json(view: RedemptionView) -> dict[str, Any]:
    """A redemption for the widget: the code and its apply link once Shopify has the code.

    A gift card's full code is shown once: the first answer that carries it clears it.
    """
    code = view.code if view.state in CODE_STATES else None
    if view.kind == RewardKind.GIFT_CARD:
        code = take_code_once(current_runtime().sessions, view.id) if view.code else None
    elif view.kind == RewardKind.STORE_CREDIT:
        code = None
    discount = view.kind not in (RewardKind.GIFT_CARD, RewardKind.STORE_CREDIT)
    return {
        "id": str(view.id),
        "state": view.state,
        "reward_id": str(view.reward_id) if view.reward_id is not None else None,
        "reward_title": view.reward_title,
        "kind": view.kind,
        "value": None if view.value is None else format(view.value.normalize(), "f"),
        "currency": view.currency,
        "points": view.points,
        "points_balance": view.points_balance,
        "code": code,
        "apply_url": (
            f"/discount/{quote(code)}" if discount and code and view.state == "issued" else None
        ),
        "last_characters": view.last_characters,
        "amount": None if view.amount is None else format(view.amount.normalize(), "f"),
        "ends_at": view.expires_at.isoformat() if view.expires_at else None,
        "created_at": view.created_at.isoformat(),
        "issued_at": view.issued_at.isoformat() if view.issued_at else None,
        "used_at": view.used_at.isoformat() if view.used_at else None,
    }
