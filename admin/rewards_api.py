"""``/api/rewards``: the shop's reward catalogue: list, create, edit, archive.

Thin views over the catalogue functions of :mod:`loyalty.rewards.catalogue`, which validate every field
(422 with a message per field, nothing stored) and scope every query by shop. Declared on the
admin API's registry, imported by :func:`admin.init_app` before the blueprint is registered.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from admin.api import api
from admin.auth import current_shop, session_token_required
from errors import json_error, json_object_body
from loyalty.core.ids import id_from_text
from loyalty.core.models import RewardKind
from loyalty.rewards.catalogue import archive_reward, create_reward, list_rewards, update_reward
from openapi import FRACTION_ABOVE_ZERO, Answer, id_schema
from runtime import current_runtime

_TIME = {"type": ["string", "null"], "format": "date-time"}
# Amounts: at least 0, below 10^15, at most 4 decimals (loyalty.rewards.catalogue._amount).
_AMOUNT = r"(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,4})?"
_MONEY = {"type": ["string", "null"], "pattern": f"^{_AMOUNT}$"}
_VALUE_BY_KIND = {
    "fixed_amount": rf"^(?:[1-9][0-9]{{0,14}}(?:\.[0-9]{{1,4}})?|{FRACTION_ABOVE_ZERO})$",
    "percentage": rf"^(?:{FRACTION_ABOVE_ZERO}|1(?:\.0{{1,4}})?)$",
}
_FIELDS: dict[str, Any] = {
    "kind": {"enum": [k.value for k in RewardKind]},
    "title": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": r"\S",
        "description": "Not blank; spaces around it are dropped.",
    },
    "points_cost": {"type": "integer", "minimum": 1, "maximum": 10_000_000},
    "value": {
        **_MONEY,
        "description": "The amount off in the shop's currency (fixed_amount), the fraction off "
        '(percentage: "0.1" is 10 %), null for free_shipping.',
    },
    "minimum_order": {**_MONEY, "description": "Minimum order subtotal, shop currency."},
    "code_lifetime_days": {"type": ["integer", "null"], "minimum": 1, "maximum": 3650},
    "limit_per_member": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000},
    "active": {"type": "boolean"},
    "starts_at": _TIME,
    "ends_at": {**_TIME, "description": "After starts_at."},
}
_VALUE_RULES = [
    {
        "if": {"required": ["kind"], "properties": {"kind": {"const": "free_shipping"}}},
        "then": {"properties": {"value": {"type": "null"}}},
    },
    *(
        {
            "if": {"required": ["kind"], "properties": {"kind": {"const": kind}}},
            "then": {
                "required": ["value"],
                "properties": {"value": {"type": "string", "pattern": pattern}},
            },
        }
        for kind, pattern in _VALUE_BY_KIND.items()
    ),
]
api.schemas.update(
    {
        "Reward": {
            "type": "object",
            "required": ["id", "currency", *_FIELDS],
            "properties": {"id": {"type": "string"}, "currency": {"type": "string"}, **_FIELDS},
        },
        "RewardList": {
            "type": "object",
            "required": ["rewards"],
            "properties": {
                "rewards": {"type": "array", "items": {"$ref": "#/components/schemas/Reward"}}
            },
        },
        "RewardInput": {
            "type": "object",
            "description": "`value` by `kind`: an amount above 0 (fixed_amount), a fraction above "
            "0 and at most 1 (percentage), null or left out (free_shipping). `ends_at` after "
            "`starts_at`.",
            "required": ["kind", "title", "points_cost"],
            "properties": _FIELDS,
            "allOf": _VALUE_RULES,
            "additionalProperties": False,
        },
        "RewardUpdate": {
            "type": "object",
            "description": "Any subset of the fields; the result (the stored reward with these "
            "changes) is checked as a whole, by the rules of `RewardInput`.",
            "properties": _FIELDS,
            "allOf": _VALUE_RULES,
            "additionalProperties": False,
        },
    }
)
_NOT_FOUND = "This shop has no such reward."
_REWARD_ID = {"reward_id": id_schema("The reward's id.")}


@api.route("/rewards", "GET", summary="The shop's rewards, cheapest first", response="RewardList")
@session_token_required
def read_rewards() -> Response:
    """Every reward of the authenticated shop, active or not."""
    return jsonify({"rewards": list_rewards(current_runtime().sessions, current_shop().id)})


@api.route(
    "/rewards",
    "POST",
    summary="Add a reward to the catalogue",
    request="RewardInput",
    response="Reward",
    errors=(422,),
    description="Every invalid or unknown field is reported in `error.fields`; then nothing is stored.",
    answers=(Answer(201, "The reward, stored."),),
)
@session_token_required
def add_reward() -> tuple[Response, int] | Response:
    """Validate and store a new reward; 201 with the reward."""
    body = json_object_body()
    if isinstance(body, Response):
        return body
    return jsonify(create_reward(current_runtime().sessions, current_shop().id, body)), 201


@api.route(
    "/rewards/<reward_id>",
    "PUT",
    summary="Change a reward",
    request="RewardUpdate",
    response="Reward",
    errors=(404, 422),
    description="Redemptions already made keep their points and codes.",
    path=_REWARD_ID,
)
@session_token_required
def change_reward(reward_id: str) -> Response:
    """Change some fields of one of the shop's rewards; the reward after the change."""
    parsed = id_from_text(reward_id)
    if parsed is None:
        return json_error(404, "not_found", _NOT_FOUND)
    body = json_object_body()
    if isinstance(body, Response):
        return body
    return jsonify(update_reward(current_runtime().sessions, current_shop().id, parsed, body))


@api.route(
    "/rewards/<reward_id>/archive",
    "POST",
    summary="Take a reward out of the storefront",
    response="Reward",
    errors=(404,),
    path=_REWARD_ID,
    description="Sets `active` to false; its redemptions and history stay. PUT `active: true` "
    "brings it back.",
)
@session_token_required
def disable_reward(reward_id: str) -> Response:
    """Archive (deactivate) one of the shop's rewards."""
    parsed = id_from_text(reward_id)
    if parsed is None:
        return json_error(404, "not_found", _NOT_FOUND)
    return jsonify(archive_reward(current_runtime().sessions, current_shop().id, parsed))
