"""``/api/voucher-rules`` and ``/api/vouchers``: the shop's spend-threshold voucher rules
(list, create, change, delete) and the vouchers they issued, with their liability.

Thin over :mod:`loyalty.club.voucher_catalogue` (which checks every field: 422 with a message
per field, nothing stored) and :mod:`loyalty.club.voucher_view`. After a rule changes, every
member with paid orders is looked at again by a job (``jobs.vouchers``). Declared on the admin
API's registry, imported by :func:`admin.init_app` before the blueprint is registered.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify

from admin.api import api
from admin.auth import current_shop, session_token_required
from errors import json_error, json_object_body
from jobs.vouchers import enqueue_refresh
from loyalty.club.voucher_catalogue import create_rule, delete_rule, list_rules, update_rule
from loyalty.club.voucher_rules import MAX_DAYS, MAX_NAME, MAX_RULES
from loyalty.club.voucher_view import shop_vouchers
from loyalty.core.ids import id_from_text
from loyalty.core.models import VoucherKind, VoucherPeriod
from openapi import Answer, id_schema
from openapi.vouchers import VOUCHER
from runtime import current_runtime

_AMOUNT = {"type": "string", "pattern": r"^(0|[1-9][0-9]{0,12})(\.[0-9]{1,2})?$"}
_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME, "pattern": r"\S"},
    "threshold": {
        **_AMOUNT,
        "description": "Spend (paid merchandise net of refunds, the points rule) in one period "
        "that earns the voucher, a decimal string in the shop's currency; more than 0.",
        "examples": ["5000"],
    },
    "period": {
        "enum": [p.value for p in VoucherPeriod],
        "description": "Calendar month or year in the shop's time zone, or rolling periods of "
        "`period_days` days from the member's first paid order in each.",
    },
    "period_days": {
        "type": ["integer", "null"],
        "minimum": 1,
        "maximum": MAX_DAYS,
        "description": "With `rolling_days` only; null otherwise.",
    },
    "voucher": {
        "type": "object",
        "required": ["kind", "amount"],
        "properties": {
            "kind": {"enum": [k.value for k in VoucherKind]},
            "amount": {**_AMOUNT, "description": "More than 0.", "examples": ["250"]},
        },
        "additionalProperties": False,
        "description": "A Shopify gift card for the member, or a one-use discount code of "
        "the amount for the member only.",
    },
}
_RULE = {
    "type": "object",
    "required": ["id", "currency", *_FIELDS],
    "properties": {
        "id": {"type": "string"},
        "currency": {"type": "string", "examples": ["NOK"]},
        "vouchers_issued": {"type": "integer"},
        **_FIELDS,
    },
}
api.schemas.update(
    {
        "VoucherRule": _RULE,
        "VoucherRuleList": {
            "type": "object",
            "required": ["rules", "currency"],
            "properties": {
                "rules": {"type": "array", "items": {"$ref": "#/components/schemas/VoucherRule"}},
                "currency": {"type": "string"},
            },
        },
        "VoucherRuleInput": {
            "type": "object",
            "required": ["name", "threshold", "period", "voucher"],
            "properties": _FIELDS,
            "additionalProperties": False,
            "description": f"At most {MAX_RULES} rules.",
        },
        "VoucherRuleUpdate": {
            "type": "object",
            "properties": _FIELDS,
            "additionalProperties": False,
            "description": "Any subset of the fields; vouchers already issued keep theirs.",
        },
        "VoucherRuleDeletion": {
            "type": "object",
            "required": ["deleted"],
            "properties": {"deleted": {"type": "string"}},
        },
        "IssuedVouchers": {
            "type": "object",
            "required": ["vouchers", "counts", "liability"],
            "properties": {
                "vouchers": {
                    "type": "array",
                    "items": {
                        **VOUCHER,
                        "properties": {
                            **VOUCHER["properties"],
                            "customer_id": {"type": "string"},
                            "member_name": {"type": ["string", "null"]},
                            "rule": {"type": "string"},
                            "issued_at": {"type": ["string", "null"], "format": "date-time"},
                        },
                    },
                    "description": "Newest first (200).",
                },
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                "liability": {
                    "type": "object",
                    "properties": {"active": _AMOUNT, "disabled": _AMOUNT},
                    "description": "What active vouchers are worth, and what disabled ones would "
                    "be worth if their spend came back.",
                },
                "currency": {"type": "string"},
            },
        },
    }
)
_NOT_FOUND = "This shop has no such voucher rule."
_RULE_ID = {"rule_id": id_schema("The rule's id.")}
_REFRESHED = "Members' vouchers are looked at again by a job afterwards."


def _refresh() -> None:
    enqueue_refresh(current_runtime(), current_shop().id)


@api.route(
    "/voucher-rules",
    "GET",
    summary="The shop's spend-threshold voucher rules",
    response="VoucherRuleList",
)
@session_token_required
def read_voucher_rules() -> Response:
    """Every rule of the authenticated shop, with how many vouchers each issued."""
    return jsonify(list_rules(current_runtime().sessions, current_shop().id))


@api.route(
    "/voucher-rules",
    "POST",
    summary="Add a spend-threshold voucher rule",
    request="VoucherRuleInput",
    response="VoucherRule",
    errors=(422,),
    description="Every invalid or unknown field is reported in `error.fields` (`voucher.amount` "
    f"for the voucher's); then nothing is stored. {_REFRESHED}",
    answers=(Answer(201, "The rule, stored."),),
)
@session_token_required
def add_voucher_rule() -> tuple[Response, int] | Response:
    """Validate and store a new rule; 201 with the rule."""
    body = json_object_body()
    if isinstance(body, Response):
        return body
    rule = create_rule(current_runtime().sessions, current_shop().id, body, actor=g.staff_user_id)
    _refresh()
    return jsonify(rule), 201


@api.route(
    "/voucher-rules/<rule_id>",
    "PUT",
    summary="Change a voucher rule",
    request="VoucherRuleUpdate",
    response="VoucherRule",
    errors=(404, 422),
    path=_RULE_ID,
    description="Vouchers already issued keep their amount and threshold. " + _REFRESHED,
)
@session_token_required
def change_voucher_rule(rule_id: str) -> Response:
    """Change some fields of one of the shop's rules; the rule after the change."""
    parsed = id_from_text(rule_id)
    if parsed is None:
        return json_error(404, "not_found", _NOT_FOUND)
    body = json_object_body()
    if isinstance(body, Response):
        return body
    rule = update_rule(
        current_runtime().sessions, current_shop().id, parsed, body, actor=g.staff_user_id
    )
    _refresh()
    return jsonify(rule)


@api.route(
    "/voucher-rules/<rule_id>",
    "DELETE",
    summary="Stop a voucher rule",
    response="VoucherRuleDeletion",
    errors=(404,),
    path=_RULE_ID,
    description="No new vouchers; those issued stay and stay refund-aware.",
)
@session_token_required
def remove_voucher_rule(rule_id: str) -> Response:
    """Delete one of the shop's rules."""
    parsed = id_from_text(rule_id)
    if parsed is None:
        return json_error(404, "not_found", _NOT_FOUND)
    return jsonify(
        delete_rule(current_runtime().sessions, current_shop().id, parsed, actor=g.staff_user_id)
    )


@api.route(
    "/vouchers",
    "GET",
    summary="Vouchers issued, their states and liability",
    response="IssuedVouchers",
)
@session_token_required
def read_vouchers() -> Response:
    """The shop's issued vouchers, newest first, with counts per state and the liability."""
    shop = current_shop()
    with current_runtime().sessions() as s:
        found = shop_vouchers(s, shop.id)
    return jsonify({**found, "currency": shop.currency})
