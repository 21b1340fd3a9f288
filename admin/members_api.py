"""``/api/members/{customer_id}``: a member's balance and ledger, and manual adjustments.

Each ledger entry says why with ``reason_code`` and ``reason_params``
(:mod:`loyalty.points.reasons`); ``reason_label`` puts that into words in the request's
language, and ``reason`` is the stored text: a staff member's own words for an adjustment,
otherwise Klubb's fixed English text (``order 6210000001001``, ``signup bonus``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, g, jsonify, request
from flask_babel import gettext

from admin.api import api
from admin.audit_labels import format_points
from admin.auth import current_shop, session_token_required
from errors import json_error, json_object_body
from loyalty.core.ids import id_from_text
from loyalty.members.staff import MAX_ADJUSTMENT, MAX_REASON, adjust_points, member_detail
from loyalty.points import reasons
from openapi import WELCOME_CODE, Answer, Param, id_schema
from openapi.referrals import REFERRAL
from openapi.stamps import MEMBER_STAMP_CARDS
from openapi.tiers import TIER_STANDING
from openapi.vouchers import VOUCHER_STANDING
from runtime import current_runtime

CUSTOMER_ID = {"customer_id": id_schema("The member's Shopify customer id.")}
IDEMPOTENCY_KEY = Param(
    "Idempotency-Key",
    {"type": "string"},
    "Makes a retried request act once (the first 100 characters count).",
)


def reason_label(
    code: str, params: Mapping[str, object] | None, text: str | None, order_name: str | None = None
) -> str:
    """An entry's reason in the request's language: a staff adjustment's as its author typed
    it, Klubb's own from its code and parameters (:func:`loyalty.points.reasons.label`)."""
    return reasons.label(
        code, params, text, translate=gettext, number=format_points, order_name=order_name
    )


def _labelled(entry: dict[str, Any]) -> dict[str, Any]:
    label = reason_label(
        entry["reason_code"], entry["reason_params"], entry["reason"], entry["order_name"]
    )
    return {**entry, "reason_label": label}


_ENTRY = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "points": {"type": "integer"},
        "kind": {"type": "string", "examples": ["earn", "refund", "redeem", "adjust"]},
        "reason": {
            "type": ["string", "null"],
            "description": "As stored: a staff member's words for an adjustment, otherwise "
            "Klubb's fixed English text (`order 6210000001001`, `signup bonus`); null once the "
            "member's data was erased. Programs should read `reason_code` instead.",
        },
        "reason_code": {
            "type": "string",
            "description": "Why the points moved; more codes may be added. Today: "
            + ", ".join(f"`{code}`" for code in reasons.ReasonCode)
            + ". `legacy`: an entry from before reason codes whose text matched none of "
            "Klubb's (the text is in `reason`).",
            "examples": ["order", "signup_bonus", "staff_adjustment"],
        },
        "reason_params": {
            "type": ["object", "null"],
            "description": "The facts the code's words need: `order_id` (string), "
            "`reward_id`, `error`, `source`, `points` (the balance an import set).",
            "examples": [{"order_id": "6210000001001"}, {"source": "Smile.io", "points": 40}],
        },
        "reason_label": {
            "type": "string",
            "description": "The reason for people, in the language asked for (`locale`, else "
            "`Accept-Language`): an adjustment's reason as typed, Klubb's own reasons "
            "translated (`Signup bonus`, `Order #1001`: the order's name when Klubb has it, "
            "else its id).",
            "examples": ["Signup bonus", "Innmeldingsbonus"],
        },
        "order_id": {"type": ["string", "null"], "description": "The Shopify order, if any."},
        "order_name": {
            "type": ["string", "null"],
            "description": "The order's name as the merchant knows it, when Klubb has it "
            "(orders recorded since revision 0012).",
            "examples": ["#1001"],
        },
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
                "welcome_code": {"$ref": "#/components/schemas/WelcomeCode"},
                "referral": REFERRAL,
                **TIER_STANDING,
                **VOUCHER_STANDING,
                **MEMBER_STAMP_CARDS,
                "tier_history": {
                    "type": "array",
                    "description": "The member's moves between tiers, newest first (20).",
                    "items": {
                        "type": "object",
                        "properties": {
                            "from": {"type": ["string", "null"]},
                            "to": {"type": ["string", "null"]},
                            "cause": {"type": "string", "examples": ["order", "refund", "nightly"]},
                            "created_at": {"type": "string", "format": "date-time"},
                        },
                    },
                },
            },
        },
        "WelcomeCode": WELCOME_CODE,
        "Adjustment": {
            "type": "object",
            "required": ["points", "reason"],
            "properties": {
                "points": {
                    "type": "integer",
                    "minimum": -MAX_ADJUSTMENT,
                    "maximum": MAX_ADJUSTMENT,
                    "not": {"const": 0},
                    "description": f"Signed; not 0; at most {MAX_ADJUSTMENT:,} either way.",
                },
                "reason": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_REASON,
                    "pattern": r"\S",
                    "description": "Why, in the staff member's words (the member sees it); "
                    "not blank.",
                },
                "allow_debt": {
                    "type": "boolean",
                    "default": False,
                    "description": "Confirms an adjustment that leaves the balance below zero "
                    "(the member owes points); without it such an adjustment is refused with "
                    "422 `balance_below_zero`.",
                },
            },
            "additionalProperties": False,
        },
        "AdjustmentResult": {
            "type": "object",
            "required": ["customer_id", "points_balance", "created"],
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


@api.route(
    "/members/<customer_id>",
    "GET",
    summary="A member's balance, status and ledger",
    response="Member",
    errors=(404,),
    path=CUSTOMER_ID,
)
@session_token_required
def read_member(customer_id: str) -> Response:
    """The member with this Shopify customer id in the authenticated shop (404 if none)."""
    parsed = id_from_text(customer_id)
    if parsed is None:
        return json_error(404, "not_found", "This shop has no such member.")
    member = member_detail(
        current_runtime().sessions, current_shop().id, parsed, staff_user_id=g.staff_user_id
    )
    return jsonify({**member, "ledger": [_labelled(entry) for entry in member["ledger"]]})


@api.route(
    "/members/<customer_id>/adjustments",
    "POST",
    summary="Add or remove points by hand, with a reason",
    request="Adjustment",
    response="AdjustmentResult",
    errors=(404, 422),
    description="Send an `Idempotency-Key` header so a retried request adjusts once. A "
    "member whose data was erased takes no adjustment (422). Removing more points than the "
    "member has is refused (422 `balance_below_zero`) unless `allow_debt` is true.",
    answers=(
        Answer(201, "The adjustment was posted."),
        Answer(200, "A repeated `Idempotency-Key`: nothing new was posted."),
    ),
    path=CUSTOMER_ID,
    headers=(IDEMPOTENCY_KEY,),
)
@session_token_required
def adjust_member(customer_id: str) -> tuple[Response, int] | Response:
    """Post a signed adjustment; the staff user of the session token is its actor."""
    parsed = id_from_text(customer_id)
    if parsed is None:
        return json_error(404, "not_found", "This shop has no such member.")
    body = json_object_body()
    if isinstance(body, Response):
        return body
    result = adjust_points(
        current_runtime().sessions,
        current_shop().id,
        parsed,
        dict(body),
        staff_user_id=g.staff_user_id,
        idempotency_key=request.headers.get("Idempotency-Key", "").strip()[:100] or None,
    )
    if result["created"]:
        # Shopify's copy of the balance (metafield) follows, through the coalesced sync job.
        from jobs.engine import enqueue_balance_sync

        enqueue_balance_sync(current_runtime(), result["member_id"])
    return jsonify({k: v for k, v in result.items() if k != "member_id"}), 201 if result[
        "created"
    ] else 200
