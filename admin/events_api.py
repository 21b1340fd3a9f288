"""``/api/failed-events``: webhook events whose job keeps failing, and retrying one.

The list shows topic, times, attempts and the error's type — never the body, which may hold
personal data — and whether the scheduler beats (without it nothing left behind is retried).
Both routes are scoped to the session token's shop: another shop's event is 404.
"""

from __future__ import annotations

from flask import Response, jsonify

from admin.api import api
from admin.auth import current_shop, session_token_required
from errors import json_error
from jobs.engine import requeue_failed_event
from jobs.scheduler import scheduler_state
from loyalty.core.ids import id_from_text
from loyalty.shopify.failed_events import list_failed
from openapi import Answer, id_schema
from runtime import current_runtime

_FAILED_EVENT = {
    "type": "object",
    "required": ["id", "topic", "received_at", "attempts", "error"],
    "properties": {
        "id": {"type": "string"},
        "topic": {"type": "string", "examples": ["orders/paid"]},
        "received_at": {"type": "string", "format": "date-time"},
        "triggered_at": {"type": ["string", "null"], "format": "date-time"},
        "attempts": {"type": "integer"},
        "error": {
            "type": ["string", "null"],
            "description": "The type of the error (no message, no data).",
            "examples": ["OperationalError"],
        },
    },
}
api.schemas.update(
    {
        "FailedEvents": {
            "type": "object",
            "required": ["events", "scheduler"],
            "properties": {
                "events": {
                    "type": "array",
                    "items": _FAILED_EVENT,
                    "description": "Newest first (100).",
                },
                "scheduler": {
                    "enum": ["ok", "late"],
                    "description": "`late`: no scheduler has beaten for a minute, so events "
                    "left behind and automatic retries wait until one runs again.",
                },
            },
        },
        "EventRetry": {
            "type": "object",
            "required": ["id", "status"],
            "properties": {
                "id": {"type": "string"},
                "status": {
                    "enum": ["enqueued", "received"],
                    "description": "`received`: the queue is down; the sweeper enqueues it.",
                },
            },
        },
    }
)


@api.route(
    "/failed-events",
    "GET",
    summary="The shop's webhook events that failed",
    response="FailedEvents",
)
@session_token_required
def read_failed_events() -> Response:
    """Failed events of the authenticated shop: topic, times, attempts, error type."""
    rt = current_runtime()
    return jsonify(
        {
            "events": list_failed(rt.sessions, current_shop().id),
            "scheduler": scheduler_state(rt.redis),
        }
    )


@api.route(
    "/failed-events/<event_id>/retry",
    "POST",
    summary="Process a failed webhook event again",
    response="EventRetry",
    errors=(404,),
    answers=(Answer(202, "The event, back in the queue (or left for the sweeper)."),),
    path={"event_id": id_schema("The failed event's id (from the list).")},
    description="The event goes back to the queue now; a later automatic retry is dropped.",
)
@session_token_required
def retry_failed_event(event_id: str) -> tuple[Response, int] | Response:
    """Reset a failed event of the authenticated shop and enqueue it (202)."""
    parsed = id_from_text(event_id)
    if parsed is None:
        return json_error(404, "not_found", "This shop has no such failed event.")
    enqueued = requeue_failed_event(current_runtime(), current_shop().id, parsed)
    return jsonify({"id": str(parsed), "status": "enqueued" if enqueued else "received"}), 202
