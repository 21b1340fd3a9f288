"""``GET /api/referrals``: the referrals report (counts per state, points paid, the newest)."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from admin.api import api
from admin.auth import current_shop, session_token_required
from errors import json_error
from loyalty.club.referral_view import PAGE, referral_report
from loyalty.core.ids import whole_from_text
from openapi import Param
from openapi.referrals import REFERRAL_ROW, STATES
from runtime import current_runtime

MAX_PAGE = 10_000

api.schemas.update(
    {
        "ReferralReport": {
            "type": "object",
            "required": ["counts", "points_paid", "referrals", "page", "has_more"],
            "properties": {
                "counts": {
                    "type": "object",
                    "properties": {state: {"type": "integer"} for state in STATES},
                    "description": "Referrals per state.",
                },
                "points_paid": {"type": "integer", "description": "Points referrers hold."},
                "referrals": {
                    "type": "array",
                    "description": f"Newest first, {PAGE} a page; the friend's email whole.",
                    "items": {
                        **REFERRAL_ROW,
                        "properties": {
                            **REFERRAL_ROW["properties"],
                            "referrer": {
                                "type": "object",
                                "properties": {
                                    "customer_id": {"type": "string"},
                                    "name": {"type": ["string", "null"]},
                                },
                            },
                        },
                    },
                },
                "page": {"type": "integer"},
                "has_more": {"type": "boolean"},
            },
        }
    }
)


@api.route(
    "/referrals",
    "GET",
    summary="Referrals: counts per state, points paid and the newest referrals",
    response="ReferralReport",
    errors=(422,),
    query=(Param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "From 1."),),
    description="Reading it is written to the audit log (it shows friends' emails).",
)
@session_token_required
def referrals() -> Response:
    """The shop's referrals report."""
    raw = request.args.get("page", "1")
    page = whole_from_text(raw, 1, MAX_PAGE)
    if page is None:
        return json_error(
            422,
            "validation_failed",
            "Some query parameters are not valid.",
            {"page": f"Enter a page from 1 to {MAX_PAGE}."},
        )
    report = referral_report(
        current_runtime().sessions, current_shop().id, page=page, staff_user_id=g.staff_user_id
    )
    return jsonify(report)
