"""The member's own data through the app proxy: ``/proxy/api/me`` and its actions (DESIGN.md, HTTP).

| call | does |
|---|---|
| ``GET /me`` | what Klubb holds about the shopper, who owns which field; ``?locale=nb`` |
| ``GET /me/export.json`` / ``GET /me/export.csv`` | downloads: everything (JSON), the ledger and welcome code (CSV) |
| ``PATCH /me`` | correct ``birthday``, ``preferred_name``, ``language`` (422 for Shopify's fields) |
| ``PUT /me/consents`` | ``{"email": bool, "sms": bool}``; pushed to Shopify by a job |
| ``POST`` / ``DELETE /me/restriction`` | restrict processing (Art. 18) / lift it; the member tag follows by a job |
| ``DELETE /me`` | leave the club; needs ``{"confirm": "LEAVE"}`` |

The shopper is only ever Shopify's signed ``logged_in_customer_id`` (``g.shopper``); guests get
401 ``sign_in_required``, a body naming another customer 403. State-changing calls take a JSON
object (415 otherwise) and an ``Idempotency-Key``; their answers carry no personal data, since
the idempotency store keeps them for a day. Views parse, call one service in
:mod:`loyalty.privacy.self_service`, :mod:`loyalty.privacy.self_service_access` or
:mod:`loyalty.privacy.leave`, enqueue the Shopify write-backs (:mod:`jobs.shopify_sync`, by
dotted path: jobs carry ids only) and answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, g, jsonify
from flask_babel import format_decimal, gettext

from jobs.engine import enqueue_balance_sync
from jobs.queueing import RETRY_SHOPIFY, QueueUnavailable, enqueue
from jobs.shopify_sync import enqueue_departure_cleanup
from loyalty.points import reasons
from loyalty.privacy import self_service, self_service_access
from loyalty.privacy.compliance import customer_hash_keys
from loyalty.privacy.leave import leave
from loyalty.privacy.self_service_rules import (
    check_empty,
    check_leave_confirmation,
)
from openapi import Answer
from runtime import current_runtime
from widgets.api import member_route, proxy_api
from widgets.bodies import json_body
from widgets.idempotency import idempotent
from widgets.proxy_auth import no_store, proxy_request, signed_in
from widgets.ratelimit import rate_limited

log = logging.getLogger(__name__)

bp = Blueprint("widget_me", __name__, url_prefix="/proxy/api/me")
bp.after_request(no_store)
me_api = proxy_api.on(bp, "/proxy/api/me")
_DOWNLOAD = "`attachment`, with a file name that names no one."


def member_read(view: Callable[..., Any]) -> Callable[..., Any]:
    """A read of the shopper's own data: signed, rate-limited, signed in."""
    return proxy_request(rate_limited(signed_in(view)))


def member_change(view: Callable[..., Any]) -> Callable[..., Any]:
    """A change: signed, rate-limited, signed in, a JSON object body, an Idempotency-Key."""
    return proxy_request(rate_limited(signed_in(json_body(idempotent(view)))))


@member_route(
    me_api,
    "",
    "GET",
    summary="What Klubb holds about the signed-in member",
    response="MyData",
    description="Profile (and who owns each field), consents and their history, points and "
    "the newest 50 ledger entries, each reason in words (`locale`). Audited.",
)
@member_read
def read_me() -> Response:
    """What Klubb holds about the signed-in member; each history entry's reason in words, in
    the request's language (the panel passes its own as ``locale``, see i18n.select_locale)."""
    shopper = g.shopper
    data = self_service_access.my_data(
        current_runtime().sessions, shopper.shop_id, shopper.customer_id
    )
    for entry in data["recent_ledger"]:
        entry["reason_label"] = reasons.label(
            entry["reason_code"],
            entry["reason_params"],
            entry["reason"],
            translate=gettext,
            number=format_decimal,
            order_name=entry["order_name"],
        )
    base = f"{shopper.path_prefix}/api/me"
    data["downloads"] = {"json": f"{base}/export.json", "csv": f"{base}/export.csv"}
    return jsonify(data)


@member_route(
    me_api,
    "/export.json",
    "GET",
    summary="Download everything Klubb holds about the member (JSON)",
    response="MyDataExport",
    answers=(Answer(200, "A download.", headers=(("Content-Disposition", _DOWNLOAD),)),),
    description="Recorded as a completed `member_export` request and audited.",
)
@member_read
def export_json() -> Response:
    """Everything Klubb holds about the member, as a JSON download."""
    return _download("json")


@member_route(
    me_api,
    "/export.csv",
    "GET",
    summary="Download the member's points ledger (CSV)",
    response="MyDataExport",
    media_types=("text/csv",),
    answers=(Answer(200, "A download.", headers=(("Content-Disposition", _DOWNLOAD),)),),
    description="A header row, then one row per ledger entry, oldest first, and the welcome "
    "code in its place by time (kind `welcome_code`, no points; the code and its state as the "
    "reason). Audited.",
)
@member_read
def export_csv() -> Response:
    """The member's points ledger, as a CSV download."""
    return _download("csv")


def _download(fmt: str) -> Response:
    rt = current_runtime()
    shopper = g.shopper
    export = self_service_access.export_member_data(
        rt.sessions, customer_hash_keys(rt.config), shopper.shop_id, shopper.customer_id, fmt
    )
    response = Response(export.content, mimetype=export.media_type)
    if fmt == "csv":
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@member_route(
    me_api,
    "",
    "PATCH",
    summary="Correct the member's own fields (birthday, preferred name, language)",
    request="ProfileUpdate",
    response="ProfileChange",
    error_notes={
        422: "`edit_in_shopify_account`: the body names a field Shopify holds; or "
        "`validation_failed`, a message per field."
    },
)
@member_change
def update_me() -> Response:
    """Correct the Klubb-owned fields; Shopify's customer metafields follow by a job."""
    rt = current_runtime()
    shopper = g.shopper
    change = self_service.update_profile(rt.sessions, shopper.shop_id, shopper.customer_id, g.body)
    if change.changed:
        _enqueue("jobs.shopify_sync.sync_member_fields", shopper.shop_id, shopper.customer_id)
    return jsonify({"updated": list(change.changed)})


@member_route(
    me_api,
    "/consents",
    "PUT",
    summary="Give or withdraw marketing consent (email, SMS)",
    request="ConsentsUpdate",
    response="ConsentsChange",
    description="Each change is kept with its time and source and told to Shopify.",
)
@member_change
def put_consents() -> Response:
    """Give or withdraw marketing consent; each change is kept and pushed to Shopify. Email
    consent earns the newsletter's points once (loyalty.club.newsletter)."""
    shopper = g.shopper
    rt = current_runtime()
    change = self_service.set_consents(rt.sessions, shopper.shop_id, shopper.customer_id, g.body)
    for event_id in change.event_ids:
        _enqueue("jobs.shopify_sync.push_consent", event_id)
    if change.newsletter_credited and change.member_id is not None:
        enqueue_balance_sync(rt, change.member_id)
    return jsonify({"consents": change.consents, "changed": list(change.changed)})


@member_route(
    me_api,
    "/restriction",
    "POST",
    summary="Restrict processing (GDPR Art. 18): no earning, no messages",
    request="Empty",
    response="RestrictionStatus",
)
@member_change
def restrict() -> Response:
    """Restrict processing (Art. 18): no earning, no messages, data kept."""
    check_empty(g.body)
    shopper = g.shopper
    change = self_service.restrict(current_runtime().sessions, shopper.shop_id, shopper.customer_id)
    return _status_answer(change)


@member_route(
    me_api,
    "/restriction",
    "DELETE",
    summary="Lift the restriction: earn again from now on",
    request="Empty",
    response="RestrictionStatus",
)
@member_change
def lift_restriction() -> Response:
    """Lift the restriction: the member earns again from now on."""
    check_empty(g.body)
    shopper = g.shopper
    change = self_service.lift_restriction(
        current_runtime().sessions, shopper.shop_id, shopper.customer_id
    )
    return _status_answer(change)


def _status_answer(change: self_service.StatusChange) -> Response:
    """The new status; a change queues the member tag's push to Shopify (off while restricted,
    so tag-based marketing segments leave the member out; on again once lifted)."""
    if change.changed:
        shopper = g.shopper
        _enqueue("jobs.shopify_sync.sync_member_fields", shopper.shop_id, shopper.customer_id)
    return jsonify({"status": change.status})


@member_route(
    me_api,
    "",
    "DELETE",
    summary="Leave the club: points forfeited, membership anonymised",
    request="LeaveRequest",
    response="Departure",
    error_notes={422: '`confirmation_required`: send `{"confirm": "LEAVE"}`.'},
)
@member_change
def leave_club() -> Response:
    """Leave the club: confirmed, points forfeited, membership anonymised, no re-enrolment.

    A job then removes what Klubb wrote on the customer in Shopify (fields, balance, tag, unused
    codes); the request keeps the customer id until it has (jobs.shopify_sync).
    """
    check_leave_confirmation(g.body)
    rt = current_runtime()
    shopper = g.shopper
    departure = leave(
        rt.sessions,
        customer_hash_keys(rt.config),
        shopper.shop_id,
        shopper.shop_domain,
        shopper.customer_id,
    )
    # Kept pending on the request: if Redis does not take it now, the push sweeper will.
    enqueue_departure_cleanup(rt, departure.request_id)
    log.info(
        "member %s left (request %s, %d bodies erased)",
        departure.member_id,
        departure.request_id,
        departure.bodies_erased,
    )
    return jsonify({"status": "left", "points_forfeited": departure.points_forfeited})


def _enqueue(func: str, *args: int) -> None:
    """Queue a Shopify write-back now; if Redis is down the change stands, and a consent,
    profile or status push is enqueued by the sweeper later (it is marked pending in the
    database)."""
    try:
        enqueue(current_runtime(), "shopify", func, *args, retry=RETRY_SHOPIFY)
    except QueueUnavailable:
        log.warning(
            "%s not enqueued: Redis unavailable; the sweeper will retry", func.rsplit(".", 1)[-1]
        )
