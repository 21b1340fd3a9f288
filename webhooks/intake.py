"""``POST /webhooks``: verify, record, enqueue, answer fast (SHOPIFY.md §4, DESIGN.md invariant 3).

The order of the steps is the point: the signature is checked on the raw bytes before anything
is parsed or stored; the event row is committed before Shopify gets its 200; the job carries only
the row's id. Every real piece of work happens in a worker. In a flood, the ids of deliveries
that follow an enqueue closely are enqueued together just after their answers
(webhooks/enqueue_window.py); the committed row is the promise either way.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import cast

from flask import Blueprint, Response, request
from sqlalchemy import String
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from errors import json_error
from jobs.queueing import COMPLIANCE_TOPICS, enqueue_event
from loyalty.core.db import DirectError
from loyalty.core.models import EventStatus, WebhookEvent
from loyalty.core.payloads import parse_time
from loyalty.shopify import webhook_events
from loyalty.shopify.signatures import is_valid_shop_domain, verify_webhook
from runtime import current_runtime
from webhooks import enqueue_window
from webhooks.handlers import HANDLERS

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)

BODY_LIMIT = 5 * 1024 * 1024
"""The largest body the app takes (``MAX_CONTENT_LENGTH``; DESIGN.md: 413 above 5 MiB)."""


_OK_BODIES = {
    status: json.dumps({"status": status}).encode()
    for status in ("accepted", "duplicate", "requeued", "ignored")
}


def _ok(status: str) -> Response:
    """``{"status": ...}`` with 200, its body made once: this is every delivery's answer."""
    return Response(_OK_BODIES[status], 200, mimetype="application/json")


@bp.post("/webhooks")
def receive() -> tuple[Response, int] | Response:
    """Take one delivery of any topic, compliance topics included."""
    rt = current_runtime()
    body = request.get_data(cache=False)
    headers = request.headers  # read once: each ``request.`` goes through Flask's proxy
    if len(body) >= BODY_LIMIT and request.content_length is None:
        # Sent chunked (no Content-Length), Werkzeug stops reading at the limit and hands over
        # what it read; that is a body too large, not a bad signature.
        return json_error(413, "request_entity_too_large", "The body is over the 5 MiB limit.")
    if not body or not verify_webhook(
        body, headers.get("X-Shopify-Hmac-Sha256"), rt.config.secrets
    ):
        log.warning("webhook refused: bad or missing signature")
        return json_error(401, "invalid_signature", "The webhook's HMAC signature is not valid.")

    topic = headers.get("X-Shopify-Topic", "").strip()
    shop = headers.get("X-Shopify-Shop-Domain", "").strip().lower()
    webhook_id = headers.get("X-Shopify-Webhook-Id")
    event_id = (headers.get("X-Shopify-Event-Id") or webhook_id or "").strip()
    api_version = headers.get("X-Shopify-API-Version")
    too_long = (
        _too_long(event_id=event_id, webhook_id=webhook_id, topic=topic, api_version=api_version)
        if len(event_id) + len(topic) + len(webhook_id or "") + len(api_version or "") > _SHORTEST
        else []
    )
    delivery = webhook_events.Delivery(
        event_id=_fitted_event_id(event_id, body),
        webhook_id=webhook_id if "webhook_id" not in too_long else None,
        topic=(topic if "topic" not in too_long else "(too long)") or "(missing)",
        shop_domain=shop if is_valid_shop_domain(shop) else "(invalid)",
        api_version=api_version if "api_version" not in too_long else None,
        triggered_at=parse_time(headers.get("X-Shopify-Triggered-At")),
        body=body,
    )
    problem = _problem(delivery, event_id, body, too_long)
    if problem:
        status, error = EventStatus.REJECTED, problem
    elif delivery.topic not in HANDLERS:
        status, error = EventStatus.IGNORED, "no handler for topic"
    else:
        status, error = EventStatus.ENQUEUED, None
    try:
        recorded = webhook_events.record(
            rt.sessions,
            delivery,
            status=status,
            error=error,
            # Compliance topics are recorded and run even for a shop that is gone.
            needs_install=status == EventStatus.ENQUEUED
            and delivery.topic not in COMPLIANCE_TOPICS,
            direct=rt.direct,
        )
    except (OperationalError, SQLAlchemyError, DirectError):
        log.error("webhook not recorded: database unavailable (Shopify will retry)")
        return json_error(503, "unavailable", "Try again later.")

    if not recorded.created:
        if recorded.status in webhook_events.FINISHED:
            return _ok("duplicate")
        # A redelivery of an event whose first copy never finished: make sure it is queued.
        enqueue_event(rt, recorded.id, delivery.topic)
        return _ok("requeued")
    if recorded.status == EventStatus.REJECTED:
        return json_error(400, "invalid_webhook", problem or "")
    if recorded.status == EventStatus.IGNORED:
        return _ok("ignored")
    enqueue_window.enqueue(rt, recorded.id, delivery.topic)
    return _ok("accepted")


_HEADERS = {
    "event_id": "X-Shopify-Event-Id",
    "webhook_id": "X-Shopify-Webhook-Id",
    "topic": "X-Shopify-Topic",
    "api_version": "X-Shopify-API-Version",
}
_LENGTHS: dict[str, int] = {
    name: cast(String, WebhookEvent.__table__.c[name].type).length or 0 for name in _HEADERS
}
"""How long each header's column is: a longer value is no header Shopify sends."""
_SHORTEST = min(_LENGTHS.values())
"""Headers whose lengths add up to no more than this all fit: the common case costs one sum."""


def _too_long(**values: str | None) -> list[str]:
    """The names of the values longer than their columns."""
    return [name for name, value in values.items() if value and len(value) > _LENGTHS[name]]


def _fitted_event_id(event_id: str, body: bytes) -> str:
    """The event id to record: as sent when it fits, else a digest of it (or of the body)."""
    if not event_id:
        return "unidentified:" + hashlib.sha256(body).hexdigest()
    if len(event_id) > _LENGTHS["event_id"]:
        return "oversized:" + hashlib.sha256(event_id.encode()).hexdigest()
    return event_id


def _problem(
    delivery: webhook_events.Delivery, event_id: str, body: bytes, too_long: list[str]
) -> str | None:
    """Why a signed delivery cannot be processed, or None when it can."""
    if too_long:
        return f"The {_HEADERS[too_long[0]]} header is too long."
    if delivery.topic == "(missing)":
        return "X-Shopify-Topic header is missing."
    if delivery.shop_domain == "(invalid)":
        return "X-Shopify-Shop-Domain header is missing or not a shop domain."
    if not event_id:
        return "Neither X-Shopify-Event-Id nor X-Shopify-Webhook-Id is present."
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "The body is not JSON."
    except RecursionError:
        return "The body's JSON is nested too deeply."
    if not isinstance(payload, dict):
        return "The body is not a JSON object."
    return None
