"""``/api/stamp-cards``: the shop's stamp cards: list, create, change, end.

Thin over :mod:`loyalty.club.stamp_cards`, which checks every field (422 with a message per
field, nothing stored). A card's collections are looked up through the Admin API by a job after
each save (``jobs.stamps``). Declared on the admin API's registry, imported by
:func:`admin.init_app` before the blueprint is registered.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify

from admin.api import api
from admin.auth import current_shop, session_token_required
from errors import json_error, json_object_body
from jobs.stamps import enqueue_collection_refresh
from loyalty.club.stamp_cards import (
    NOT_FOUND,
    card_members,
    create_card,
    delete_card,
    list_cards,
    update_card,
)
from loyalty.club.stamp_rules import MAX_IDS, MAX_NAME, MAX_STAMPS
from loyalty.core.ids import id_from_text
from openapi import Answer, id_schema
from openapi.stamps import STAMP_REWARD
from runtime import current_runtime

_IDS = {
    "type": "array",
    "maxItems": MAX_IDS,
    "items": {"type": "string", "pattern": r"^([1-9][0-9]{0,18}|gid://shopify/\w+/[0-9]+)$"},
}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME, "pattern": r"\S"},
    "product_ids": {**_IDS, "description": "Products whose units earn a stamp each."},
    "collection_ids": {
        **_IDS,
        "description": "Collections whose products earn a stamp each, as the collection is "
        "when an order is recorded. At least one product or collection.",
    },
    "stamps_required": {"type": "integer", "minimum": 1, "maximum": MAX_STAMPS},
    "reward": STAMP_REWARD,
    "repeatable": {"type": "boolean", "description": "Starts again once full. Default true."},
    "starts_at": {**_TIME, "description": "Orders placed from then count; null: from now."},
    "ends_at": {**_TIME, "description": "Orders placed from then no longer count; null: never."},
}
_CARD = {
    "type": "object",
    "required": ["id", *_FIELDS, "paused"],
    "properties": {
        "id": {"type": "string"},
        **_FIELDS,
        "paused": {
            "enum": ["product_deleted", "collection_deleted", None],
            "description": "Why the card counts nothing for now (a product or collection it "
            "names was deleted in Shopify); choose its products again to run it.",
        },
        "members_with_stamps": {"type": "integer"},
        "rewards_issued": {"type": "integer"},
        "rewards_used": {"type": "integer"},
    },
}
api.schemas.update(
    {
        "StampCard": _CARD,
        "StampCardList": {
            "type": "object",
            "required": ["stamp_cards"],
            "properties": {
                "stamp_cards": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/StampCard"},
                }
            },
        },
        "StampCardInput": {
            "type": "object",
            "required": ["name", "stamps_required", "reward"],
            "properties": _FIELDS,
            "additionalProperties": False,
        },
        "StampCardUpdate": {
            "type": "object",
            "properties": _FIELDS,
            "additionalProperties": False,
            "description": "Any subset of the fields; orders recorded from now on follow it.",
        },
        "StampCardMembers": {
            "type": "object",
            "required": ["members"],
            "properties": {
                "members": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": [
                            "customer_id",
                            "name",
                            "stamps",
                            "rewards_issued",
                            "rewards_used",
                        ],
                        "properties": {
                            "customer_id": {"type": "string"},
                            "name": {"type": ["string", "null"]},
                            "stamps": {
                                "type": "integer",
                                "description": "In the ledger (below a full card's worth of "
                                "rewards while refunds are paid back).",
                            },
                            "rewards_issued": {"type": "integer"},
                            "rewards_used": {"type": "integer"},
                        },
                    },
                    "description": "Most stamps first (200 at most).",
                }
            },
        },
        "StampCardDeletion": {
            "type": "object",
            "required": ["deleted"],
            "properties": {"deleted": {"type": "string"}},
        },
    }
)
_CARD_ID = {"card_id": id_schema("The card's id.")}


def _refresh(card: dict[str, Any]) -> None:
    rt, shop_id = current_runtime(), current_shop().id
    for collection_id in card["collection_ids"]:
        enqueue_collection_refresh(rt, shop_id, int(collection_id))


@api.route(
    "/stamp-cards",
    "GET",
    summary="The shop's stamp cards, with members holding stamps and rewards issued and used",
    response="StampCardList",
)
@session_token_required
def read_stamp_cards() -> Response:
    """Every card of the authenticated shop that is not deleted."""
    return jsonify(list_cards(current_runtime().sessions, current_shop().id))


@api.route(
    "/stamp-cards",
    "POST",
    summary="Add a stamp card",
    request="StampCardInput",
    response="StampCard",
    errors=(422,),
    description="Every invalid or unknown field is reported in `error.fields`; then nothing "
    "is stored.",
    answers=(Answer(201, "The card, stored."),),
)
@session_token_required
def add_stamp_card() -> tuple[Response, int] | Response:
    """Validate and store a new card; 201 with the card."""
    body = json_object_body()
    if isinstance(body, Response):
        return body
    card, _ = create_card(
        current_runtime().sessions, current_shop().id, body, actor=g.staff_user_id
    )
    _refresh(card)
    return jsonify(card), 201


@api.route(
    "/stamp-cards/<card_id>",
    "PUT",
    summary="Change a stamp card",
    request="StampCardUpdate",
    response="StampCard",
    errors=(404, 422),
    path=_CARD_ID,
    description="Stamps and rewards already given stay.",
)
@session_token_required
def change_stamp_card(card_id: str) -> Response:
    """Change some fields of one of the shop's cards."""
    parsed = id_from_text(card_id)
    if parsed is None:
        return json_error(404, "not_found", NOT_FOUND)
    body = json_object_body()
    if isinstance(body, Response):
        return body
    card = update_card(
        current_runtime().sessions, current_shop().id, parsed, body, actor=g.staff_user_id
    )
    _refresh(card)
    return jsonify(card)


@api.route(
    "/stamp-cards/<card_id>",
    "DELETE",
    summary="End a stamp card",
    response="StampCardDeletion",
    errors=(404,),
    path=_CARD_ID,
    description="The card stops counting and is no longer shown; members' stamps and rewards "
    "already given stay.",
)
@session_token_required
def remove_stamp_card(card_id: str) -> Response:
    """Delete one of the shop's cards."""
    parsed = id_from_text(card_id)
    if parsed is None:
        return json_error(404, "not_found", NOT_FOUND)
    return jsonify(
        delete_card(current_runtime().sessions, current_shop().id, parsed, actor=g.staff_user_id)
    )


@api.route(
    "/stamp-cards/<card_id>/members",
    "GET",
    summary="The members holding stamps on a card, with their rewards issued and used",
    response="StampCardMembers",
    errors=(404,),
    path=_CARD_ID,
)
@session_token_required
def read_stamp_card_members(card_id: str) -> Response:
    """Members with stamps or rewards on one of the shop's cards."""
    parsed = id_from_text(card_id)
    if parsed is None:
        return json_error(404, "not_found", NOT_FOUND)
    return jsonify(card_members(current_runtime().sessions, current_shop().id, parsed))
