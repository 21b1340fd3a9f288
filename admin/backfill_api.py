"""``/api/backfill``: the shop's backfill of existing customers and past orders.

``GET`` shows the current run's status and counts; ``POST`` starts a run over with the
merchant's options (409 while one is running). The work is done by :mod:`jobs.backfill`.
"""

from __future__ import annotations

from flask import Response, g, jsonify

from admin.api import api
from admin.auth import current_shop, session_token_required
from errors import json_error, json_object_body
from jobs.backfill import default_options, start_backfill
from loyalty.backfill import runs as backfill
from loyalty.privacy import audit
from openapi import Answer
from runtime import current_runtime

_ORDERS_SINCE = {
    "oneOf": [
        {"type": "integer", "minimum": 1, "maximum": backfill.MAX_DAYS},
        {"const": "all"},
    ],
    "description": (
        "Days of past orders to record, or `all`. Default: all the orders Shopify lets Klubb "
        "read (every order with `read_all_orders`, else the last 60 days)."
    ),
}
_COUNT = {"type": "integer", "minimum": 0}
api.schemas.update(
    {
        "BackfillOptions": {
            "type": "object",
            "properties": {
                "orders_since": _ORDERS_SINCE,
                "award_points": {
                    "type": "boolean",
                    "default": False,
                    "description": "Past orders earn points (orders since the install always do).",
                },
                "signup_bonus": {
                    "type": "boolean",
                    "default": False,
                    "description": "Customers enrolled by the backfill get the signup bonus.",
                },
            },
            "additionalProperties": False,
        },
        "Backfill": {
            "type": "object",
            "required": ["status", "phase", "options", "counts", "error", "started_at"],
            "properties": {
                "status": {"enum": ["none", "queued", "running", "completed", "failed"]},
                "phase": {"enum": ["customers", "orders", None]},
                "run": {"type": "integer"},
                "options": {
                    "type": ["object", "null"],
                    "properties": {
                        "orders_since": _ORDERS_SINCE,
                        "award_points": {"type": "boolean"},
                        "signup_bonus": {"type": "boolean"},
                    },
                },
                "counts": {
                    "type": ["object", "null"],
                    "properties": {
                        name: _COUNT
                        for name in (
                            "customers_seen",
                            "customers_enrolled",
                            "orders_seen",
                            "orders_recorded",
                            "orders_awarded",
                        )
                    },
                },
                "error": {"type": ["string", "null"]},
                "started_at": {"type": ["string", "null"], "format": "date-time"},
                "finished_at": {"type": ["string", "null"], "format": "date-time"},
            },
        },
    }
)


@api.route("/backfill", "GET", summary="The shop's backfill and its progress", response="Backfill")
@session_token_required
def read_backfill() -> Response:
    """Status, options and counts of the authenticated shop's latest backfill run."""
    return jsonify(backfill.progress(current_runtime().sessions, current_shop().id))


@api.route(
    "/backfill",
    "POST",
    summary="Start the backfill of customers and past orders over",
    request="BackfillOptions",
    request_required=False,
    response="Backfill",
    errors=(409, 422),
    answers=(Answer(202, "The new run, queued."),),
    description=(
        "Answers 202 with the new run's state; 409 `backfill_running` while a run is under way. "
        "Running it again is harmless: what Klubb already holds is not counted twice."
    ),
)
@session_token_required
def start_backfill_run() -> tuple[Response, int] | Response:
    """Validate the options and queue a new run (202)."""
    body = json_object_body(allow_empty=True)
    if isinstance(body, Response):
        return body
    rt = current_runtime()
    shop = current_shop()
    defaults = default_options(shop.scopes or "")
    if "orders_since" not in body:
        body = {**body, "orders_since": defaults.orders_since_days or "all"}
    options = backfill.Options.from_body(body)
    try:
        start_backfill(rt, shop.id, options)
    except backfill.BackfillRunning:
        return json_error(409, "backfill_running", "A backfill is running; wait for it to end.")
    with rt.sessions.begin() as session:
        audit.record(
            session,
            shop_id=shop.id,
            actor_type="staff",
            actor_id=g.staff_user_id,
            action="backfill.start",
            detail=(
                f"orders_since={options.orders_since_days or 'all'} "
                f"award_points={options.award_points} signup_bonus={options.signup_bonus}"
            ),
        )
    return jsonify(backfill.progress(rt.sessions, shop.id)), 202
