"""A stamp card's fields as the merchant sends them: checked one by one, every error named.

:func:`validate_card` turns a ``/api/stamp-cards`` body into column values or raises
``ValidationError`` with a message per field (``reward.amount``, ``product_ids[2]``…); with
``partial`` (a PUT) only the fields sent are checked, and the card as changed must still count
some product or collection.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from loyalty.core.errors import ValidationError
from loyalty.core.ids import id_from_json
from loyalty.core.models import StampRewardKind
from loyalty.core.payloads import parse_time

MAX_NAME = 60
MAX_STAMPS = 100
MAX_IDS = 100
MAX_AMOUNT = Decimal(10**9)
FIELDS = (
    "name",
    "product_ids",
    "collection_ids",
    "stamps_required",
    "reward",
    "repeatable",
    "starts_at",
    "ends_at",
)
_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,11})(\.[0-9]{1,4})?")
_GID = re.compile(r"gid://shopify/(Product|Collection)/([0-9]{1,19})")


def shopify_id(value: Any, kind: str) -> int | None:
    """A product or collection id: a number, its decimal string, or its ``gid://shopify/…``."""
    if isinstance(value, str) and (match := _GID.fullmatch(value)):
        return id_from_json(match.group(2)) if match.group(1) == kind else None
    return id_from_json(value)


def _ids(value: Any, field: str, kind: str, errors: dict[str, str]) -> list[int]:
    if not isinstance(value, list):
        errors[field] = "A list of ids."
        return []
    if len(value) > MAX_IDS:
        errors[field] = f"At most {MAX_IDS}."
        return []
    found: list[int] = []
    for i, item in enumerate(value):
        parsed = shopify_id(item, kind)
        if parsed is None:
            errors[f"{field}[{i}]"] = f"Not a {kind.lower()} id."
        elif parsed not in found:
            found.append(parsed)
    return found


def _reward(value: Any, errors: dict[str, str]) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        errors["reward"] = "An object with a kind."
        return None
    kind = value.get("kind")
    if kind not in set(StampRewardKind):
        errors["reward.kind"] = "One of free_product, fixed_amount, percentage."
        return None
    allowed = {
        StampRewardKind.FREE_PRODUCT: "product_id",
        StampRewardKind.FIXED_AMOUNT: "amount",
        StampRewardKind.PERCENTAGE: "percentage",
    }
    key = allowed[StampRewardKind(kind)]
    for extra in set(value) - {"kind", key}:
        errors[f"reward.{extra}"] = f"Not a field of a {kind} reward."
    raw = value.get(key)
    if kind == StampRewardKind.FREE_PRODUCT:
        product = shopify_id(raw, "Product")
        if product is None:
            errors["reward.product_id"] = "The product given free."
            return None
        return {"kind": kind, "product_id": str(product)}
    if kind == StampRewardKind.FIXED_AMOUNT:
        amount = _amount(raw)
        if amount is None:
            errors["reward.amount"] = 'An amount above 0 as a decimal string, like "50.00".'
            return None
        return {"kind": kind, "amount": format(amount, "f")}
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 100:
        errors["reward.percentage"] = "A whole number from 1 to 100."
        return None
    return {"kind": kind, "percentage": raw}


def _amount(raw: Any) -> Decimal | None:
    if not isinstance(raw, str) or not _AMOUNT.fullmatch(raw):
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        return None
    return amount if 0 < amount <= MAX_AMOUNT else None


def _time(value: Any, field: str, errors: dict[str, str]) -> datetime | None:
    if value is None:
        return None
    parsed = parse_time(value)
    if parsed is None:
        errors[field] = "An ISO 8601 time, or null."
    return parsed


def validate_card(
    body: Mapping[str, Any], *, partial: bool = False, held: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Column values from a body; ValidationError naming every bad field. ``held`` is the
    card's current values (a PUT), for the checks across fields."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in body:
        if name not in FIELDS:
            errors[name] = "Not a field of a stamp card."
    required = () if partial else ("name", "stamps_required", "reward")
    for name in required:
        if name not in body:
            errors[name] = "Required."
    if "name" in body:
        name = body["name"]
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
            errors["name"] = f"A name of 1 to {MAX_NAME} characters."
        else:
            values["name"] = name.strip()
    for field, kind in (("product_ids", "Product"), ("collection_ids", "Collection")):
        if field in body:
            values[field] = _ids(body[field], field, kind, errors)
    if "stamps_required" in body:
        stamps = body["stamps_required"]
        if isinstance(stamps, bool) or not isinstance(stamps, int) or not 1 <= stamps <= MAX_STAMPS:
            errors["stamps_required"] = f"A whole number from 1 to {MAX_STAMPS}."
        else:
            values["stamps_required"] = stamps
    if "reward" in body:
        reward = _reward(body["reward"], errors)
        if reward is not None:
            values["reward"] = reward
    if "repeatable" in body:
        if not isinstance(body["repeatable"], bool):
            errors["repeatable"] = "true or false."
        else:
            values["repeatable"] = body["repeatable"]
    for field in ("starts_at", "ends_at"):
        if field in body:
            values[field] = _time(body[field], field, errors)
    merged = {**(held or {}), **values}
    ids_valid = not any(k.startswith(("product_ids", "collection_ids")) for k in errors)
    if ids_valid and not merged.get("product_ids") and not merged.get("collection_ids"):
        errors["product_ids"] = "Choose at least one product or collection."
    starts, ends = merged.get("starts_at"), merged.get("ends_at")
    if starts is not None and ends is not None and ends <= starts:
        errors.setdefault("ends_at", "After the start.")
    if errors:
        raise ValidationError(errors)
    return values
