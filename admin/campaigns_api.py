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
from jobs.campaigns import enqueue_campaign, enqueue_codes
from loyalty.campaigns import campaigns
from loyalty.campaigns.campaign_text import MAX_SEGMENTS, MERGE_FIELDS
from loyalty.campaigns.campaigns import MAX_ATTRIBUTION_HOURS
from loyalty.campaigns.offers import (
    BONUS_POINTS,
    DISCOUNTS,
    DOUBLE_POINTS,
    MAX_DAYS,
    MAX_POINTS,
    MEMBER_CODE,
    SHARED_CODE,
    SHARED_CODE_PATTERN,
)
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
_MONEY = {
    "type": "object",
    "required": ["amount", "currency"],
    "properties": {"amount": {"type": "string"}, "currency": {"type": "string"}},
}
_OFFER = {
    "oneOf": [
        {
            "type": "object",
            "required": ["kind", "discount", "value"],
            "properties": {
                "kind": {"enum": [MEMBER_CODE]},
                "discount": {"enum": list(DISCOUNTS)},
                "value": {"type": ["string", "integer"]},
                "valid_days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
            },
            "additionalProperties": False,
        },
        {
            "type": "object",
            "required": ["kind", "code", "discount", "value"],
            "properties": {
                "kind": {"enum": [SHARED_CODE]},
                "code": {"type": "string", "pattern": SHARED_CODE_PATTERN.pattern},
                "discount": {"enum": list(DISCOUNTS)},
                "value": {"type": ["string", "integer"]},
                "valid_days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
            },
            "additionalProperties": False,
        },
        {
            "type": "object",
            "required": ["kind", "starts_at", "ends_at"],
            "properties": {
                "kind": {"enum": [DOUBLE_POINTS]},
                "multiplier": {
                    "type": "string",
                    "description": "Above 1, at most 10; 2 unless given.",
                },
                "starts_at": {"type": "string", "format": "date-time"},
                "ends_at": {"type": "string", "format": "date-time"},
            },
            "additionalProperties": False,
        },
        {
            "type": "object",
            "required": ["kind", "points"],
            "properties": {
                "kind": {"enum": [BONUS_POINTS]},
                "points": {"type": "integer", "minimum": 1, "maximum": MAX_POINTS},
            },
            "additionalProperties": False,
        },
    ],
    "description": "A code of their own per member (made in Shopify ahead of the send time), "
    "a shared code any customer may use once, bonus points for each member reached, or "
    "double points on the audience's orders in a window (not starting before the sending). "
    "`value`: a whole percentage, or an amount in the shop's currency.",
}
_HOURS = {"type": "integer", "minimum": 1, "maximum": MAX_ATTRIBUTION_HOURS}
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
    "offer": {"type": ["object", "null"]},
    "attribution_hours": _HOURS,
    "created_at": {"type": "string", "format": "date-time"},
}
_MERGE = ", ".join("{" + name + "}" for name in MERGE_FIELDS)
api.schemas.update(
    {
        "CampaignSummary": {"type": "object", "required": list(_FIELDS), "properties": _FIELDS},
        "Campaign": {
            "type": "object",
            "required": [
                *_FIELDS,
                "counts",
                "revenue_attributed",
                "attribution",
                "store_visits",
                "clicks",
            ],
            "properties": {
                **_FIELDS,
                "counts": {
                    "type": "object",
                    "required": list(_COUNTS),
                    "properties": {name: _COUNT for name in _COUNTS},
                    "description": "`audience`: the frozen audience once sending started, "
                    "before that who the segment reaches now. `redeemed`: the offer's codes "
                    "used by an order of the member they went to.",
                },
                "revenue_attributed": {
                    **_MONEY,
                    "description": "What orders by members the campaign reached earned on "
                    "(paid subtotal less refunds), placed within `attribution_hours` after "
                    "their message; online and POS.",
                },
                "attribution": {
                    "type": "object",
                    "required": ["hours", "orders", "online", "pos"],
                    "properties": {
                        "hours": _HOURS,
                        "orders": _COUNT,
                        **{
                            channel: {
                                "type": "object",
                                "required": ["orders", "revenue"],
                                "properties": {"orders": _COUNT, "revenue": _MONEY},
                            }
                            for channel in ("online", "pos")
                        },
                    },
                },
                "store_visits": {
                    "type": "object",
                    "required": ["count", "median_minutes", "minutes_after_send"],
                    "properties": {
                        "count": _COUNT,
                        "median_minutes": {"type": ["integer", "null"]},
                        "minutes_after_send": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["from_minutes", "to_minutes", "count"],
                                "properties": {
                                    "from_minutes": _COUNT,
                                    "to_minutes": {"type": ["integer", "null"]},
                                    "count": _COUNT,
                                },
                            },
                        },
                    },
                    "description": "POS orders by members reached, within the window: minutes "
                    "between their message and the order.",
                },
                "clicks": {
                    "type": "object",
                    "required": ["members", "total"],
                    "properties": {"members": _COUNT, "total": _COUNT},
                    "description": "Clicks on the tracked links (`/l/{token}-{n}`) of the "
                    "messages: the members who clicked, and every click.",
                },
                "codes": {
                    "type": "object",
                    "required": ["audience", "created", "failed", "ready"],
                    "properties": {
                        "audience": _COUNT,
                        "created": _COUNT,
                        "failed": _COUNT,
                        "ready": {"type": "boolean"},
                    },
                    "description": "A code per member only: how far the codes job is.",
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
                "offer": _OFFER,
                "attribution_hours": {**_HOURS, "description": "72 unless given."},
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
    if scheduled["offer"] is not None and scheduled["offer"]["kind"] in (MEMBER_CODE, SHARED_CODE):
        enqueue_codes(rt, parsed)  # ahead of the sending (or the minute's sweep does it)
    send_at = parse_time(scheduled["send_at"])
    if send_at is not None and send_at <= utcnow():
        enqueue_campaign(rt, parsed)  # else (or if Redis is down) the minute's sweep does it
    return jsonify(scheduled)
