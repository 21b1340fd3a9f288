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
from loyalty.core.errors import LoyaltyError, ValidationError
from loyalty.core.ids import id_from_text
from loyalty.core.models import RewardKind
from loyalty.rewards.catalogue import (
    archive_reward,
    create_reward,
    list_rewards,
    offered_kinds,
    update_reward,
)
from loyalty.shopify.products import VariantFacts, variant_lookup
from openapi import FRACTION_ABOVE_ZERO, Answer, id_schema
from runtime import current_runtime, shop_access_token, shopify_client

_TIME = {"type": ["string", "null"], "format": "date-time"}
# Amounts: at least 0, below 10^15, at most 4 decimals (loyalty.rewards.catalogue._amount).
_AMOUNT = r"(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,4})?"
_MONEY = {"type": ["string", "null"], "pattern": f"^{_AMOUNT}$"}
_ABOVE_ZERO = rf"^(?:[1-9][0-9]{{0,14}}(?:\.[0-9]{{1,4}})?|{FRACTION_ABOVE_ZERO})$"
_VALUE_BY_KIND = {
    "fixed_amount": _ABOVE_ZERO,
    "percentage": rf"^(?:{FRACTION_ABOVE_ZERO}|1(?:\.0{{1,4}})?)$",
    "gift_card": _ABOVE_ZERO,
    "store_credit": _ABOVE_ZERO,
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
        "(percentage: \"0.1\" is 10 %), the gift card's or store credit's amount, null for "
        "free_shipping; a free_product's is its variant's price (from Shopify, ignored on input).",
    },
    "minimum_order": {**_MONEY, "description": "Minimum order subtotal, shop currency."},
    "code_lifetime_days": {"type": ["integer", "null"], "minimum": 1, "maximum": 3650},
    "limit_per_member": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000},
    "variant_id": {
        "type": ["string", "null"],
        "pattern": "^[1-9][0-9]{0,18}$",
        "description": "free_product: the Shopify product variant given away (one unit).",
    },
    "on_price_change": {
        "enum": ["follow", "pause", None],
        "description": "free_product: when the variant's price changes in Shopify, the code "
        "follows the new price (default) or the reward pauses.",
    },
    "active": {"type": "boolean"},
    "starts_at": _TIME,
    "ends_at": {**_TIME, "description": "After starts_at."},
}
_SHOPIFY_FACTS: dict[str, Any] = {
    "product_id": {"type": ["string", "null"], "description": "free_product: its product."},
    "product_title": {
        "type": ["string", "null"],
        "description": "free_product: the variant's name in Shopify when last checked.",
    },
    "paused": {
        "enum": ["product_deleted", "price_changed", None],
        "description": "free_product: why it is paused (members see it, cannot redeem it); "
        "saving the reward again reads the product and lifts the pause.",
    },
}
_VALUE_RULES = [
    {
        "if": {"required": ["kind"], "properties": {"kind": {"const": "free_shipping"}}},
        "then": {"properties": {"value": {"type": "null"}}},
    },
    {
        "if": {"required": ["kind"], "properties": {"kind": {"const": "free_product"}}},
        "then": {"required": ["variant_id"], "properties": {"variant_id": {"type": "string"}}},
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
            "required": ["id", "currency", *_FIELDS, *_SHOPIFY_FACTS],
            "properties": {
                "id": {"type": "string"},
                "currency": {"type": "string"},
                **_FIELDS,
                **_SHOPIFY_FACTS,
            },
        },
        "RewardList": {
            "type": "object",
            "required": ["rewards", "kinds"],
            "properties": {
                "rewards": {"type": "array", "items": {"$ref": "#/components/schemas/Reward"}},
                "kinds": {
                    "type": "array",
                    "items": {"enum": [k.value for k in RewardKind]},
                    "description": "The kinds this shop can offer (store_credit only where the "
                    "shop granted Klubb store credit).",
                },
            },
        },
        "RewardInput": {
            "type": "object",
            "description": "`value` by `kind`: an amount above 0 (fixed_amount, gift_card, "
            "store_credit), a fraction above 0 and at most 1 (percentage), null or left out "
            "(free_shipping); free_product needs `variant_id` (its value is the variant's price). "
            "store_credit only where the shop granted Klubb store credit. `ends_at` after "
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
    sessions, shop_id = current_runtime().sessions, current_shop().id
    return jsonify(
        {"rewards": list_rewards(sessions, shop_id), "kinds": offered_kinds(sessions, shop_id)}
    )


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
    rt, shop = current_runtime(), current_shop()
    return jsonify(create_reward(rt.sessions, shop.id, body, _lookup)), 201


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
    return jsonify(
        update_reward(current_runtime().sessions, current_shop().id, parsed, body, _lookup)
    )


def _lookup(shop: str, variant_id: int) -> VariantFacts | None:
    """A free product's variant from Shopify; Shopify failing is the field's 422, not a 5xx."""
    try:
        return variant_lookup(shopify_client(), shop_access_token)(shop, variant_id)
    except LoyaltyError as err:
        raise ValidationError(
            {"variant_id": "Shopify could not be asked about this product; try again."}
        ) from err


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
