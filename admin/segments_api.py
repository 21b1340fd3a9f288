"""``/api/segments``: saved filters over the shop's members, their live count and members.

Thin views over :mod:`loyalty.campaigns.segments` (rules, storage, the one-statement count).
Declared on the admin API's registry, imported by :func:`admin.init_app` before the blueprint
is registered.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from admin.api import api
from admin.auth import current_shop, session_token_required
from errors import json_error, json_object_body
from loyalty.campaigns import segments
from loyalty.campaigns.segment_filter import BUYERS, LANGUAGES
from loyalty.core.errors import ValidationError
from loyalty.core.ids import id_from_text, whole_from_text
from openapi import Answer, Param, id_schema
from runtime import current_runtime

_AMOUNT = {"type": "string", "pattern": r"^[0-9]{1,15}(?:\.[0-9]{1,4})?$"}
_POINTS = {"type": "integer", "minimum": -(10**15), "maximum": 10**15}
_MOMENT = {"type": "string", "format": "date-time"}


def _range(schema: dict[str, Any], what: str) -> dict[str, Any]:
    return {
        "type": "object",
        "minProperties": 1,
        "properties": {"min": schema, "max": schema},
        "additionalProperties": False,
        "description": f"{what}; either bound may be left out; `min` not above `max`.",
    }


FILTER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every condition is optional and all must hold; `{}` is every active "
    "member. Restricted and anonymised members are never in a segment. Orders count when "
    "paid, not cancelled and not test orders.",
    "properties": {
        "points_balance": _range(_POINTS, "Whole points"),
        "lifetime_spend": _range(_AMOUNT, "Paid subtotal less refunds, shop currency"),
        "orders_in_last_days": {
            "type": "object",
            "required": ["days"],
            "properties": {
                "days": {"type": "integer", "minimum": 1, "maximum": 3650},
                "min": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1},
            },
            "additionalProperties": False,
        },
        "last_order_before": {**_MOMENT, "description": "Members without orders do not match."},
        "last_order_after": _MOMENT,
        "buyer": {"enum": list(BUYERS), "description": "Bought in the shop (POS) or online."},
        "birthday_month": {"type": "integer", "minimum": 1, "maximum": 12},
        "language": {
            "enum": list(LANGUAGES),
            "description": "The member's language, else the shop's.",
        },
        "email_consent": {"type": "boolean"},
        "sms_consent": {"type": "boolean"},
        "joined_before": _MOMENT,
        "joined_after": _MOMENT,
        "tier": {"type": "string", "pattern": r"^[1-9][0-9]{0,18}$", "description": "A tier id."},
    },
    "additionalProperties": False,
}
_NAME = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"\S"}
api.schemas.update(
    {
        "SegmentFilter": FILTER_SCHEMA,
        "Segment": {
            "type": "object",
            "required": ["id", "name", "filter", "created_at", "updated_at"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "filter": {"$ref": "#/components/schemas/SegmentFilter"},
                "created_at": _MOMENT,
                "updated_at": _MOMENT,
            },
        },
        "SegmentList": {
            "type": "object",
            "required": ["segments"],
            "properties": {
                "segments": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}}
            },
        },
        "SegmentInput": {
            "type": "object",
            "required": ["name", "filter"],
            "properties": {"name": _NAME, "filter": {"$ref": "#/components/schemas/SegmentFilter"}},
            "additionalProperties": False,
        },
        "SegmentUpdate": {
            "type": "object",
            "description": "Either field or both; a filter replaces the stored one whole.",
            "properties": {"name": _NAME, "filter": {"$ref": "#/components/schemas/SegmentFilter"}},
            "additionalProperties": False,
        },
        "SegmentMembers": {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["count"],
                    "properties": {"count": {"type": "integer", "minimum": 0}},
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "required": ["members", "next"],
                    "properties": {
                        "members": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["customer_id", "first_name", "last_name"],
                                "properties": {
                                    "customer_id": {"type": "string"},
                                    "first_name": {"type": ["string", "null"]},
                                    "last_name": {"type": ["string", "null"]},
                                },
                            },
                        },
                        "next": {
                            "type": ["string", "null"],
                            "description": "Pass as `after` for the next page; null on the last.",
                        },
                    },
                    "additionalProperties": False,
                },
            ]
        },
    }
)
_NOT_FOUND = "This shop has no such segment."
_SEGMENT_ID = {"segment_id": id_schema("The segment's id.")}
_SAVE = "Every invalid or unknown field or filter key is reported in `error.fields` (filter keys as `filter.<key>`); then nothing is stored."


@api.route("/segments", "GET", summary="The shop's segments", response="SegmentList")
@session_token_required
def read_segments() -> Response:
    """Every saved segment of the authenticated shop."""
    return jsonify(
        {"segments": segments.list_segments(current_runtime().sessions, current_shop().id)}
    )


@api.route(
    "/segments",
    "POST",
    summary="Save a segment",
    request="SegmentInput",
    response="Segment",
    errors=(422,),
    description=_SAVE,
    answers=(Answer(201, "The segment, stored."),),
)
@session_token_required
def add_segment() -> tuple[Response, int] | Response:
    """Check and store a segment; 201 with it."""
    body = json_object_body()
    if isinstance(body, Response):
        return body
    return jsonify(
        segments.create_segment(current_runtime().sessions, current_shop().id, body)
    ), 201


@api.route(
    "/segments/<segment_id>",
    "PUT",
    summary="Change a segment",
    request="SegmentUpdate",
    response="Segment",
    errors=(404, 422),
    description=_SAVE,
    path=_SEGMENT_ID,
)
@session_token_required
def change_segment(segment_id: str) -> Response:
    """Change the name or the filter of one of the shop's segments."""
    parsed = id_from_text(segment_id)
    if parsed is None:
        return json_error(404, "not_found", _NOT_FOUND)
    body = json_object_body()
    if isinstance(body, Response):
        return body
    return jsonify(
        segments.update_segment(current_runtime().sessions, current_shop().id, parsed, body)
    )


@api.route(
    "/segments/<segment_id>",
    "DELETE",
    summary="Delete a segment",
    response="Segment",
    errors=(404, 409),
    error_notes={409: "A campaign not sent yet uses the segment (`segment_in_use`)."},
    description="Answers the segment as it was.",
    path=_SEGMENT_ID,
)
@session_token_required
def remove_segment(segment_id: str) -> Response:
    """Delete one of the shop's segments."""
    parsed = id_from_text(segment_id)
    if parsed is None:
        return json_error(404, "not_found", _NOT_FOUND)
    try:
        deleted = segments.delete_segment(current_runtime().sessions, current_shop().id, parsed)
    except segments.SegmentInUse as err:
        return json_error(409, err.code, str(err))
    return jsonify(deleted)


@api.route(
    "/segments/<segment_id>/members",
    "GET",
    summary="The segment's members now, or how many",
    response="SegmentMembers",
    errors=(404, 422),
    path=_SEGMENT_ID,
    query=(
        Param("count", {"enum": ["1"]}, '`1`: answer only `{"count"}`, the live count.'),
        Param("limit", {"type": "integer", "minimum": 1, "maximum": segments.MAX_PAGE_SIZE}),
        Param(
            "after",
            {"type": "string", "pattern": r"^[1-9][0-9]{0,18}$"},
            "The previous page's `next`.",
        ),
    ),
    description="Active members only, by the filter as the members are now. Without "
    f"`count=1`, a page of members (`limit`, default {segments.PAGE_SIZE}; `after`).",
)
@session_token_required
def read_segment_members(segment_id: str) -> Response:
    """The live count (``count=1``) or one page of the segment's members."""
    parsed = id_from_text(segment_id)
    if parsed is None:
        return json_error(404, "not_found", _NOT_FOUND)
    rt, shop = current_runtime(), current_shop()
    args = request.args
    problems: dict[str, str] = {}
    if args.get("count") not in (None, "", "1"):
        problems["count"] = "Send count=1 for the count, or leave it out."
    limit = whole_from_text(args.get("limit") or str(segments.PAGE_SIZE), 1, segments.MAX_PAGE_SIZE)
    if limit is None:
        problems["limit"] = f"A whole number from 1 to {segments.MAX_PAGE_SIZE}."
    after = id_from_text(args["after"]) if args.get("after") else None
    if args.get("after") and after is None:
        problems["after"] = "This page link is not valid; start from the first page."
    if problems:
        raise ValidationError(problems, "Some query parameters are not valid.")
    if args.get("count") == "1":
        return jsonify({"count": segments.count_members(rt.sessions, shop.id, parsed)})
    return jsonify(
        segments.member_page(rt.sessions, shop.id, parsed, after=after, limit=limit or 1)
    )
