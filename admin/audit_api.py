"""``GET /api/members/{customer_id}/audit``: who read or changed a member's data, and when.

Declared on the admin API's registry (:data:`admin.api.api`), so ``/api/openapi.json``
documents it; imported by :func:`admin.init_app` before the API blueprint is registered.
Reading the audit log is itself a read of the member's personal data by staff, so it is
audited too (``audit.read``, actor the session token's staff user).
"""

from __future__ import annotations

from flask import Response, g, jsonify, request
from sqlalchemy import select

from admin.api import api
from admin.audit_labels import action_label, detail_label
from admin.auth import current_shop, session_token_required
from errors import json_error
from loyalty.core.ids import MAX_ID, id_from_text, whole_from_text
from loyalty.core.models import Member
from loyalty.privacy import audit
from openapi import Param, id_schema
from runtime import current_runtime

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

api.schemas.update(
    {
        "AuditEntry": {
            "type": "object",
            "required": [
                "id",
                "created_at",
                "actor_type",
                "actor_id",
                "action",
                "action_label",
                "detail",
                "detail_label",
            ],
            "properties": {
                "id": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "actor_type": {"type": "string", "enum": [str(a) for a in audit.ActorType]},
                "actor_id": {
                    "type": ["string", "null"],
                    "description": "Staff user id, or the member's customer id; null for the "
                    "system and after anonymisation.",
                },
                "action": {"type": "string", "examples": ["member.consent_changed"]},
                "action_label": {
                    "type": "string",
                    "description": "What `action` means, in the language asked for (`locale`, "
                    "else `Accept-Language`); the code itself if it has no label.",
                    "examples": ["Marketing consent changed"],
                },
                "detail": {
                    "type": ["string", "null"],
                    "description": "Field names, channels or formats; never values.",
                },
                "detail_label": {
                    "type": ["string", "null"],
                    "description": "`detail` in words, in the language of `action_label`; "
                    "null where it would add nothing for staff (no detail, or only ids).",
                    "examples": ["+50 points", "email subscribed, SMS unsubscribed"],
                },
            },
        },
        "MemberAudit": {
            "type": "object",
            "required": ["customer_id", "entries", "next_before"],
            "properties": {
                "customer_id": {"type": "string"},
                "entries": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}},
                "next_before": {
                    "type": ["string", "null"],
                    "description": "Pass as `before` for the next (older) page; null at the end.",
                },
            },
        },
    }
)


@api.route(
    "/members/<customer_id>/audit",
    "GET",
    summary="A member's audit log, newest first",
    response="MemberAudit",
    errors=(404, 422),
    description=(
        f"Query parameters: `limit` (1 to {MAX_LIMIT}, default {DEFAULT_LIMIT}) and `before` (an "
        "entry id, for older entries). The read is itself written to the audit log with the "
        "staff user of the session token."
    ),
    path={"customer_id": id_schema("The member's Shopify customer id.")},
    query=(
        Param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
        Param("before", {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}),
    ),
)
@session_token_required
def member_audit(customer_id: str) -> Response:
    """The audit entries about one member of the authenticated shop."""
    problems: dict[str, str] = {}
    limit = _int_arg("limit", 1, MAX_LIMIT, problems)
    before = _int_arg("before", 1, None, problems)
    if problems:
        return json_error(422, "validation_failed", "Invalid query parameter.", problems)
    limit = limit or DEFAULT_LIMIT
    shop_id = current_shop().id
    parsed = id_from_text(customer_id)
    if parsed is None:
        return json_error(404, "not_found", "No such member in this shop.")
    with current_runtime().sessions.begin() as s:
        member_id = s.scalar(
            select(Member.id).where(Member.shop_id == shop_id, Member.customer_id == parsed)
        )
        if member_id is None:
            return json_error(404, "not_found", "No such member in this shop.")
        audit.record_read(s, shop_id, g.staff_user_id, member_id, "audit")
        rows = audit.entries_for_member(s, shop_id, member_id, limit=limit, before_id=before)
        entries = [
            {
                **audit.as_json(row),
                "action_label": action_label(row.action),
                "detail_label": detail_label(row.action, row.detail),
            }
            for row in rows
        ]
    return jsonify(
        {
            "customer_id": str(parsed),
            "entries": entries,
            "next_before": entries[-1]["id"] if len(entries) == limit else None,
        }
    )


def _int_arg(name: str, low: int, high: int | None, problems: dict[str, str]) -> int | None:
    """A whole-number query parameter within bounds, None when absent (a problem is noted)."""
    raw = request.args.get(name, "")
    if raw == "":
        return None
    value = whole_from_text(raw, low, MAX_ID if high is None else high)
    if value is not None:
        return value
    problems[name] = (
        f"A whole number from {low} to {high}." if high else f"A whole number >= {low}."
    )
    return None
