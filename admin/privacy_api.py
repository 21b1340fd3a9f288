"""``/api/privacy-requests``: the GDPR requests Shopify sent, their deadlines and exports."""

from __future__ import annotations

from flask import Response, g, jsonify

from admin.api import api
from admin.auth import current_shop, session_token_required
from errors import json_error
from loyalty.core.ids import id_from_text
from loyalty.privacy.requests import list_requests, request_export
from openapi import Answer, id_schema
from runtime import current_runtime

api.schemas.update(
    {
        "PrivacyRequests": {
            "type": "object",
            "properties": {
                "requests": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string"},
                            "kind": {
                                "enum": [
                                    "data_request",
                                    "customer_redact",
                                    "shop_redact",
                                    "member_export",
                                    "member_leave",
                                    "member_inactive",
                                ]
                            },
                            "shopify_request_id": {"type": ["string", "null"]},
                            "received_at": {"type": "string", "format": "date-time"},
                            "due_at": {"type": "string", "format": "date-time"},
                            "completed_at": {"type": ["string", "null"], "format": "date-time"},
                            "status": {"enum": ["open", "due_soon", "overdue", "completed"]},
                            "export_available": {"type": "boolean"},
                        },
                    },
                }
            },
        },
        "PrivacyExport": {
            "type": "object",
            "description": "Everything Klubb holds about the customer, to give to them.",
        },
    }
)


@api.route(
    "/privacy-requests",
    "GET",
    summary="GDPR requests, due dates and status",
    response="PrivacyRequests",
    description="Status `due_soon` flags requests due within 7 days; `overdue` past their 30 days.",
)
@session_token_required
def privacy_requests() -> Response:
    """The shop's privacy requests, newest first (100)."""
    return jsonify({"requests": list_requests(current_runtime().sessions, current_shop().id)})


@api.route(
    "/privacy-requests/<request_id>/export",
    "GET",
    summary="Download a data request's export (JSON)",
    response="PrivacyExport",
    errors=(404,),
    answers=(
        Answer(
            200,
            "The export, as a download.",
            headers=(
                (
                    "Content-Disposition",
                    '`attachment; filename="klubb-data-request-{request_id}.json"`',
                ),
            ),
        ),
    ),
    path={"request_id": id_schema("The privacy request's id (from the list).")},
)
@session_token_required
def privacy_request_export(request_id: str) -> Response:
    """The export as a JSON attachment; each download is written to the audit log."""
    parsed = id_from_text(request_id)
    if parsed is None:
        return json_error(404, "not_found", "This shop has no export for that request.")
    text = request_export(
        current_runtime().sessions,
        current_shop().id,
        parsed,
        staff_user_id=g.staff_user_id,
    )
    response = Response(text, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="klubb-data-request-{parsed}.json"'
    )
    return response
