"""``/api/members/{customer_id}``: a member's balance and ledger, and manual adjustments.

Each ledger entry's ``reason`` is what the engine stored: a staff member's own words for an
adjustment, otherwise a fixed English code-like text (``order 6210000001001``, ``signup
bonus``). ``reason_label`` says the same to staff in the request's language.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Response, g, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from admin.api import api
from admin.audit_labels import format_points
from admin.auth import current_shop, session_token_required
from errors import json_error, json_object_body
from loyalty.core.models import LedgerKind
from loyalty.members.staff import adjust_points, member_detail
from loyalty.privacy.leave import FORFEIT_ON_LEAVING
from loyalty.privacy.redact import REDACTED
from loyalty.privacy.retention import FORFEIT_ON_RETENTION
from runtime import current_runtime

# The reasons the engine writes (loyalty/members/enrolment.py, orders.py, rewards.py, discount_codes.py,
# expiry.py, imports/apply.py, ...), and what each says to staff.
_FIXED_REASONS: dict[str, LazyString] = {
    "signup bonus": _l("Signup bonus"),
    "points expired after inactivity": _l("Expired after a period without activity"),
    "reservation released": _l("The reserved reward was released"),
    FORFEIT_ON_LEAVING: _l("Forfeited: the member left the club"),
    FORFEIT_ON_RETENTION: _l("Forfeited: anonymised after a period without activity"),
    REDACTED: _l("Erased"),
}
_PATTERN_REASONS: tuple[tuple[re.Pattern[str], LazyString], ...] = (
    (re.compile(r"order (?P<number>\d+)"), _l("Order %(number)s")),
    (re.compile(r"reward (?P<number>\d+)"), _l("Reward %(number)s")),
    (re.compile(r"code not created: .*"), _l("The discount code could not be created")),
    (
        re.compile(r"Imported from (?P<source>.+) \(balance set to (?P<points>-?\d+)\)"),
        _l("Imported from %(source)s (balance set to %(points)s)"),
    ),
    (re.compile(r"Imported from (?P<source>.+)"), _l("Imported from %(source)s")),
)


def reason_label(kind: str, reason: str | None) -> str | None:
    """A ledger reason in the request's language: an adjustment's as its author typed it, an
    engine reason translated, and an unknown one as stored."""
    if reason is None or reason == "":
        return reason
    if reason == REDACTED:
        return str(_FIXED_REASONS[REDACTED])
    if kind == LedgerKind.ADJUST:
        return reason
    fixed = _FIXED_REASONS.get(reason)
    if fixed is not None:
        return str(fixed)
    for pattern, label in _PATTERN_REASONS:
        match = pattern.fullmatch(reason)
        if match:
            values = match.groupdict()
            if "points" in values:
                values["points"] = format_points(int(values["points"]))
            return str(label) % values
    return reason


def _labelled(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "reason_label": reason_label(entry["kind"], entry["reason"])}


_ENTRY = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "points": {"type": "integer"},
        "kind": {"type": "string", "examples": ["earn", "refund", "redeem", "adjust"]},
        "reason": {
            "type": ["string", "null"],
            "description": "As stored: a staff member's words for an adjustment, otherwise "
            "Klubb's fixed English text (`order 6210000001001`, `signup bonus`).",
        },
        "reason_label": {
            "type": ["string", "null"],
            "description": "`reason` for people, in the language asked for (`locale`, else "
            "`Accept-Language`): an adjustment's reason as typed, Klubb's own reasons "
            "translated (`Signup bonus`, `Order 6210000001001`).",
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
