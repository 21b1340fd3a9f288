"""``/api/members/{customer_id}``: a member's balance and ledger, and manual adjustments."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from admin.api import api
from admin.auth import current_shop, session_token_required
from errors import json_error, json_object_body
from extensions import runtime
from loyalty.member_admin import adjust_points, member_detail

_ENTRY = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "points": {"type": "integer"},
        "kind": {"type": "string", "examples": ["earn", "refund", "redeem", "adjust"]},
        "reason": {"type": ["string", "null"]},
        "order_id": {"type": ["string", "null"], "description": "The Shopify order, if any."},
        "actor": {"type": "string", "examples": ["system", "staff:42"]},
        "created_at": {"type": "string", "format": "date-time"},
        "available_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
api.schemas.update(
    {
        "Member": {
            "type": "object",
            "required": ["customer_id", "points_balance", "status", "ledger"],
            "properties": {
                "customer_id": {"type": "string", "description": "Shopify customer id."},
                "points_balance": {"type": "integer"},
                "lifetime_points": {"type": "integer"},
                "status": {"enum": ["active", "restricted", "anonymised"]},
                "first_name": {"type": ["string", "null"]},
                "last_name": {"type": ["string", "null"]},
                "email": {"type": ["string", "null"]},
                "joined_at": {"type": "string", "format": "date-time"},
                "last_activity_at": {"type": ["string", "null"], "format": "date-time"},
                "ledger": {"type": "array", "items": _ENTRY, "description": "Newest first (200)."},
            },
        },
        "Adjustment": {
            "type": "object",
            "required": ["points", "reason"],
            "properties": {
                "points": {"type": "integer", "description": "Signed; not 0; at most 1,000,000."},
                "reason": {"type": "string", "maxLength": 500},
            },
            "additionalProperties": False,
        },
        "AdjustmentResult": {
            "type": "object",
            "properties": {
                "customer_id": {"type": "string"},
                "points_balance": {"type": "integer"},
                "created": {
                    "type": "boolean",
                    "description": "False for a repeated Idempotency-Key.",
                },
            },
        },
    }
)


def _customer_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= 20 else None


@api.route(
    "/members/<customer_id>",
    "GET",
    summary="A member's balance, status and ledger",
    response="Member",
    errors=(404,),
)
@session_token_required
def read_member(customer_id: str) -> Response:
    """The member with this Shopify customer id in the authenticated shop (404 if none)."""
    parsed = _customer_id(customer_id)
    if parsed is None:
        return json_error(404, "not_found", "This shop has no such member.")
    return jsonify(
        member_detail(runtime().sessions, current_shop().id, parsed, staff_user_id=g.staff_user_id)
    )


@api.route(
    "/members/<customer_id>/adjustments",
    "POST",
    summary="Add or remove points by hand, with a reason",
    request="Adjustment",
    response="AdjustmentResult",
    errors=(400, 404, 415, 422),
    description="Send an `Idempotency-Key` header so a retried request adjusts once.",
)
@session_token_required
def adjust_member(customer_id: str) -> tuple[Response, int] | Response:
    """Post a signed adjustment; the staff user of the session token is its actor."""
    parsed = _customer_id(customer_id)
    if parsed is None:
        return json_error(404, "not_found", "This shop has no such member.")
    body = json_object_body()
    if isinstance(body, Response):
        return body
    result = adjust_points(
        runtime().sessions,
        current_shop().id,
        parsed,
        dict(body),
        staff_user_id=g.staff_user_id,
        idempotency_key=request.headers.get("Idempotency-Key", "").strip()[:100] or None,
    )
    if result["created"]:
        # Shopify's copy of the balance (metafield) follows, through the coalesced sync job.
        from webhooks.engine_jobs import enqueue_balance_sync

        enqueue_balance_sync(runtime(), result["member_id"])
    return jsonify({k: v for k, v in result.items() if k != "member_id"}), 201 if result[
        "created"
    ] else 200
