"""``/api/campaigns``: write a campaign, read it with its counts, schedule it.

Thin views over :mod:`loyalty.campaigns.campaigns`; the sending is the ``campaigns`` queue's
(:mod:`jobs.campaigns`). Declared on the admin API's registry, imported by
:func:`admin.init_app` before the blueprint is registered.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from admin.api import api
from admin.auth import current_shop, session_token_required
from errors import json_error, json_object_body
from jobs.campaigns import enqueue_campaign
from loyalty.campaigns import campaigns
from loyalty.campaigns.campaign_text import MAX_SEGMENTS, MERGE_FIELDS
from loyalty.core.ids import id_from_text
from loyalty.core.models import CampaignState, MessageChannel
from loyalty.core.payloads import parse_time
from loyalty.core.types import utcnow
from openapi import Answer, id_schema
from runtime import current_runtime

_TIME = {"type": ["string", "null"], "format": "date-time"}
_TEXTS = {
    "type": "object",
    "required": ["nb", "en"],
    "properties": {
        "nb": {"type": "string", "minLength": 1},
        "en": {"type": "string", "minLength": 1},
    },
    "additionalProperties": False,
}
_COUNT = {"type": "integer", "minimum": 0}
_COUNTS = ("audience", "sent", "delivered", "failed", "skipped", "pending", "redeemed")
_FIELDS: dict[str, Any] = {
    "id": {"type": "string"},
    "name": {"type": "string"},
    "channel": {"enum": [c.value for c in MessageChannel]},
    "segment_id": {"type": ["string", "null"]},
    "message": _TEXTS,
    "subject": {**_TEXTS, "type": ["object", "null"]},
    "state": {"enum": [s.value for s in CampaignState]},
    "send_at": _TIME,
    "started_at": _TIME,
    "finished_at": _TIME,
    "error_code": {"type": ["string", "null"]},
    "created_at": {"type": "string", "format": "date-time"},
}
_MERGE = ", ".join("{" + name + "}" for name in MERGE_FIELDS)
api.schemas.update(
    {
        "CampaignSummary": {"type": "object", "required": list(_FIELDS), "properties": _FIELDS},
        "Campaign": {
            "type": "object",
            "required": [*_FIELDS, "counts", "revenue_attributed"],
            "properties": {
                **_FIELDS,
                "counts": {
                    "type": "object",
                    "required": list(_COUNTS),
                    "properties": {name: _COUNT for name in _COUNTS},
                    "description": "`audience`: the frozen audience once sending started, "
                    "before that who the segment reaches now. `redeemed` stays 0 until offers exist.",
                },
                "revenue_attributed": {
                    "type": "object",
                    "required": ["amount", "currency"],
                    "properties": {"amount": {"type": "string"}, "currency": {"type": "string"}},
                    "description": "Not attributed yet: always 0 until attribution is built.",
                },
            },
        },
        "CampaignList": {
            "type": "object",
            "required": ["campaigns"],
            "properties": {
                "campaigns": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/CampaignSummary"},
                }
            },
        },
        "CampaignInput": {
            "type": "object",
            "required": ["name", "channel", "segment_id", "message"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"\S"},
                "channel": {"enum": [c.value for c in MessageChannel]},
                "segment_id": id_schema("The segment the campaign goes to."),
                "message": {
                    **_TEXTS,
                    "description": f"A text per language; merge fields {_MERGE}. An SMS may take "
                    f"at most {MAX_SEGMENTS} segments with its opt-out link.",
                },
                "subject": {**_TEXTS, "description": "Emails only (required for them)."},
            },
            "additionalProperties": False,
        },
        "CampaignSchedule": {
            "type": "object",
            "required": ["send_at"],
            "properties": {
                "send_at": {**_TIME, "description": "When to send; null: now. Not in the past."}
            },
            "additionalProperties": False,
        },
    }
)
_NOT_FOUND = "This shop has no such campaign."
_CAMPAIGN_ID = {"campaign_id": id_schema("The campaign's id.")}


@api.route("/campaigns", "GET", summary="The shop's campaigns", response="CampaignList")
@session_token_required
def read_campaigns() -> Response:
    """Every campaign of the authenticated shop, newest first."""
    return jsonify(
        {"campaigns": campaigns.list_campaigns(current_runtime().sessions, current_shop().id)}
    )


@api.route(
    "/campaigns",
    "POST",
    summary="Write a campaign (a draft)",
    request="CampaignInput",
    response="Campaign",
    errors=(422,),
    description="Every invalid or unknown field is reported in `error.fields` (texts as "
    "`message.nb`, …); then nothing is stored. Unknown merge fields and SMS over "
    f"{MAX_SEGMENTS} segments are refused.",
    answers=(Answer(201, "The campaign, stored as a draft."),),
)
@session_token_required
def add_campaign() -> tuple[Response, int] | Response:
    """Check and store a draft campaign; 201 with it."""
    body = json_object_body()
    if isinstance(body, Response):
        return body
    rt = current_runtime()
    created = campaigns.create_campaign(
        rt.sessions, current_shop().id, body, app_url=rt.config.app_url
    )
    return jsonify(created), 201


@api.route(
    "/campaigns/<campaign_id>",
    "GET",
    summary="A campaign, its state and counts",
    response="Campaign",
    errors=(404,),
    path=_CAMPAIGN_ID,
)
@session_token_required
def read_campaign(campaign_id: str) -> Response:
    """One of the shop's campaigns with its counts."""
    parsed = id_from_text(campaign_id)
    if parsed is None:
        return json_error(404, "not_found", _NOT_FOUND)
    return jsonify(campaigns.read_campaign(current_runtime().sessions, current_shop().id, parsed))


@api.route(
    "/campaigns/<campaign_id>/schedule",
    "POST",
    summary="Schedule a campaign (now or later)",
    request="CampaignSchedule",
    response="Campaign",
    errors=(404, 409, 422),
    error_notes={
        409: "The campaign is sending or sent (`not_schedulable`), or no provider is set up "
        "for its channel (`not_configured`).",
        422: "`send_at` is in the past or not a time, or nobody in the segment has consented "
        "to the channel.",
    },
    description="A draft or scheduled campaign is (re)scheduled; SMS inside the shop's quiet "
    "hours wait for their end.",
    path=_CAMPAIGN_ID,
)
@session_token_required
def schedule_campaign(campaign_id: str) -> Response:
    """Schedule the campaign; if it is due now, queue its sending."""
    parsed = id_from_text(campaign_id)
    if parsed is None:
        return json_error(404, "not_found", _NOT_FOUND)
    body = json_object_body()
    if isinstance(body, Response):
        return body
    rt = current_runtime()
    try:
        scheduled = campaigns.schedule_campaign(rt.sessions, current_shop().id, parsed, body)
    except campaigns.CampaignConflict as err:
        return json_error(409, err.code, str(err))
    send_at = parse_time(scheduled["send_at"])
    if send_at is not None and send_at <= utcnow():
        enqueue_campaign(rt, parsed)  # else (or if Redis is down) the minute's sweep does it
    return jsonify(scheduled)
