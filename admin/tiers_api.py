"""``/api/tiers``: the shop's VIP tiers: list, create, change, reorder, delete.

Thin over :mod:`loyalty.club.tier_catalogue` and :mod:`loyalty.club.tier_removal`, which
check every field and the ladder as a whole (422 with a message per field, nothing stored).
After a change, every member's tier is recomputed by a job (``jobs.tiers``). Declared on the
admin API's registry, imported by :func:`admin.init_app` before the blueprint is registered.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, request

from admin.api import api
from admin.auth import current_shop, session_token_required
from errors import json_error, json_object_body
from jobs.tiers import enqueue_recompute
from loyalty.club.tier_catalogue import create_tier, list_tiers, set_ladder, update_tier
from loyalty.club.tier_removal import delete_tier
from loyalty.club.tier_rules import EVERY, LANGUAGES, MAX_BONUS, MAX_NAME, MAX_PERKS, MAX_TIERS
from loyalty.core.ids import id_from_text
from loyalty.core.models import TierBasis, TierPeriod
from openapi import ID_PATTERN, Answer, Param, id_schema
from runtime import current_runtime

_TEXT = {"type": "string", "maxLength": MAX_PERKS}
_COUNT = {"type": "integer", "minimum": 0, "maximum": 10**9}
_AMOUNT = {"type": "string", "pattern": r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,4})?$"}
_FIELDS: dict[str, Any] = {
    "name": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_NAME,
        "pattern": r"\S",
        "description": "Not blank; spaces around it are dropped.",
    },
    "basis": {
        "enum": [b.value for b in TierBasis],
        "description": "What the tier counts: points earned, money spent (paid orders' "
        "merchandise, net of refunds) or paid orders (not cancelled). Every tier of a shop "
        "counts the same.",
    },
    "threshold": {
        "oneOf": [_COUNT, _AMOUNT],
        "description": "What entering the tier takes: whole points or orders, or a decimal "
        "string of money in the shop's currency (spend). At least 0; each tier above the one "
        "below it.",
        "examples": [1000, "2500.00"],
    },
    "period": {
        "enum": [p.value for p in TierPeriod],
        "description": "Over which time the basis counts (calendar year: the shop's time "
        "zone). Every tier of a shop counts over the same period. Default lifetime.",
    },
    "earn_multiplier": {
        "type": "string",
        "pattern": r"^(?:[1-9](?:\.[0-9]{1,2})?|10(?:\.0{1,2})?)$",
        "description": 'Orders placed in this tier earn this many times the points; "1" to '
        '"10", two decimals. Default "1".',
        "examples": ["1.5"],
    },
    "perks": {
        "oneOf": [
            {"type": "null"},
            _TEXT,
            {
                "type": "object",
                "properties": {lang: _TEXT for lang in LANGUAGES},
                "additionalProperties": False,
            },
        ],
        "description": "What the tier gives, as shown in the widget: one text for every "
        "language, or a text per language.",
    },
    "entry_bonus": {
        "type": "integer",
        "minimum": 0,
        "maximum": MAX_BONUS,
        "description": "Points given once when a member first reaches the tier (taken back "
        "if refunds undo the reaching).",
    },
    "recurring_reward": {
        "type": ["object", "null"],
        "required": ["points", "every"],
        "properties": {
            "points": {"type": "integer", "minimum": 1, "maximum": MAX_BONUS},
            "every": {"enum": list(EVERY)},
        },
        "additionalProperties": False,
        "description": "Points given to every member in the tier each month or year.",
    },
}
_TIER = {
    "type": "object",
    "required": ["id", "position", "currency", *_FIELDS],
    "properties": {
        "id": {"type": "string"},
        "position": {"type": "integer", "description": "0 is the lowest tier."},
        "currency": {"type": "string", "examples": ["NOK"]},
        "members": {"type": "integer", "description": "Members in the tier now."},
        **_FIELDS,
    },
}
api.schemas.update(
    {
        "Tier": _TIER,
        "TierList": {
            "type": "object",
            "required": ["tiers", "members_without_tier", "currency"],
            "properties": {
                "tiers": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Tier"},
                    "description": "Lowest first.",
                },
                "members_without_tier": {"type": "integer"},
                "currency": {"type": "string"},
            },
        },
        "TierInput": {
            "type": "object",
            "required": ["name", "basis", "threshold"],
            "properties": _FIELDS,
            "additionalProperties": False,
            "description": f"At most {MAX_TIERS} tiers. The tier takes its place by its threshold.",
        },
        "TierUpdate": {
            "type": "object",
            "properties": _FIELDS,
            "additionalProperties": False,
            "description": "Any subset of the fields; the tier keeps its place, so its threshold "
            "must stay between its neighbours' (reorder with `PUT /api/tiers/ladder`).",
        },
        "TierLadder": {
            "type": "object",
            "required": ["tiers"],
            "properties": {
                "tiers": {
                    "type": "array",
                    "maxItems": MAX_TIERS,
                    "items": {
                        "type": "object",
                        "required": ["id"],
                        "properties": {"id": {"type": "string"}, "threshold": _FIELDS["threshold"]},
                        "additionalProperties": False,
                    },
                    "description": "Every tier of the shop once, lowest first; a threshold "
                    "left out keeps its value. A bad one is reported as `tiers[i].threshold`.",
                },
                "basis": _FIELDS["basis"],
                "period": _FIELDS["period"],
            },
            "additionalProperties": False,
        },
        "TierLadderResult": {
            "type": "object",
            "required": ["tiers"],
            "properties": {
                "tiers": {"type": "array", "items": {"$ref": "#/components/schemas/Tier"}}
            },
        },
        "TierDeletion": {
            "type": "object",
            "required": ["deleted", "members_moved", "moved_to"],
            "properties": {
                "deleted": {"type": "string"},
                "members_moved": {"type": "integer"},
                "moved_to": {
                    "type": ["object", "null"],
                    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
                },
            },
        },
    }
)
_NOT_FOUND = "This shop has no such tier."
_TIER_ID = {"tier_id": id_schema("The tier's id.")}
_RECOMPUTED = "Every member's tier is recomputed by a job afterwards."


def _recompute() -> None:
    enqueue_recompute(current_runtime(), current_shop().id)


@api.route(
    "/tiers",
    "GET",
    summary="The shop's tiers, lowest first, with their members",
    response="TierList",
)
@session_token_required
def read_tiers() -> Response:
    """Every tier of the authenticated shop and how many members each has."""
    return jsonify(list_tiers(current_runtime().sessions, current_shop().id))


@api.route(
    "/tiers",
    "POST",
    summary="Add a tier",
    request="TierInput",
    response="Tier",
    errors=(422,),
    description="Every invalid or unknown field is reported in `error.fields` (an overlapping "
    f"threshold as `threshold`); then nothing is stored. {_RECOMPUTED}",
    answers=(Answer(201, "The tier, stored."),),
)
@session_token_required
def add_tier() -> tuple[Response, int] | Response:
    """Validate and store a new tier; 201 with the tier."""
    body = json_object_body()
    if isinstance(body, Response):
        return body
    tier = create_tier(current_runtime().sessions, current_shop().id, body, actor=g.staff_user_id)
    _recompute()
    return jsonify(tier), 201


@api.route(
    "/tiers/ladder",
    "PUT",
    summary="Reorder the tiers (and change every threshold, the basis or the period at once)",
    request="TierLadder",
    response="TierLadderResult",
    errors=(422,),
    description=f"Checked as a whole; nothing changes unless all is good. {_RECOMPUTED}",
)
@session_token_required
def change_ladder() -> Response:
    """Put the tiers in the order given, with the thresholds given."""
    body = json_object_body()
    if isinstance(body, Response):
        return body
    ladder = set_ladder(current_runtime().sessions, current_shop().id, body, actor=g.staff_user_id)
    _recompute()
    return jsonify(ladder)


@api.route(
    "/tiers/<tier_id>",
    "PUT",
    summary="Change a tier",
    request="TierUpdate",
    response="Tier",
    errors=(404, 422),
    path=_TIER_ID,
    description="Points and multipliers already earned stay. " + _RECOMPUTED,
)
@session_token_required
def change_tier(tier_id: str) -> Response:
    """Change some fields of one of the shop's tiers; the tier after the change."""
    parsed = id_from_text(tier_id)
    if parsed is None:
        return json_error(404, "not_found", _NOT_FOUND)
    body = json_object_body()
    if isinstance(body, Response):
        return body
    tier = update_tier(
        current_runtime().sessions, current_shop().id, parsed, body, actor=g.staff_user_id
    )
    _recompute()
    return jsonify(tier)


@api.route(
    "/tiers/<tier_id>",
    "DELETE",
    summary="Delete a tier; its members move",
    response="TierDeletion",
    errors=(404, 422),
    path=_TIER_ID,
    query=(
        Param(
            "move_to",
            {"type": "string", "pattern": ID_PATTERN},
            "Another tier of the shop, where the tier's members go; they keep it for the rest "
            "of the period. Left out: the tier below (or none).",
        ),
    ),
    description="Each member moved gets a history entry; points and bonuses already given "
    "stay. " + _RECOMPUTED,
)
@session_token_required
def remove_tier(tier_id: str) -> Response:
    """Delete one of the shop's tiers, moving its members."""
    parsed = id_from_text(tier_id)
    if parsed is None:
        return json_error(404, "not_found", _NOT_FOUND)
    raw = request.args.get("move_to", "")
    move_to = id_from_text(raw) if raw else None
    if raw and move_to is None:
        return json_error(
            422,
            "validation_failed",
            "Some fields are not valid.",
            {"move_to": "Choose another tier of this shop."},
        )
    result = delete_tier(
        current_runtime().sessions, current_shop().id, parsed, move_to, actor=g.staff_user_id
    )
    _recompute()
    return jsonify(result)
