"""What a spend-threshold voucher rule may be (``/api/voucher-rules``'s 422s).

``{"name", "threshold": decimal string, "period": "calendar_month" | "calendar_year" |
"rolling_days", "period_days": int | null, "voucher": {"kind": "gift_card" | "discount_code",
"amount": decimal string}}`` (DESIGN.md, "The club and campaigns"). A threshold of 0 is
refused: every member would be owed a voucher for every period without buying anything.
``period_days`` is needed with ``rolling_days`` (1 to 366) and null otherwise. Every bad field
is reported at once (``voucher.amount``…); nothing is stored unless all are good.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from loyalty.core.errors import ValidationError
from loyalty.core.ids import whole_from_json
from loyalty.core.models import VoucherKind, VoucherPeriod

MAX_NAME = 80
MAX_RULES = 20
MAX_DAYS = 366
MAX_THRESHOLD = Decimal(10) ** 12
MAX_AMOUNT = Decimal(10) ** 8
RULE_FIELDS = ("name", "threshold", "period", "period_days", "voucher")
_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,12})(\.[0-9]{1,2})?")


def _amount(value: Any, what: str, limit: Decimal) -> Decimal | str:
    """The amount, or the message saying what is wrong with it."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value.strip()):
        if isinstance(value, str) and value.strip().startswith("-"):
            return f"The {what} must be more than 0."
        return f'Enter the {what} as a decimal string, like "5000" or "249.50".'
    amount = Decimal(value.strip())
    if amount <= 0:
        return f"The {what} must be more than 0."
    if amount >= limit:
        return f"Enter a {what} below {limit:,.0f}."
    return amount


def validate_rule(data: Any, current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A rule's column values from ``data`` (on top of ``current``'s JSON for a change);
    raises :class:`ValidationError` with a message per bad or unknown field."""
    if not isinstance(data, Mapping):
        raise ValidationError({"_body": "Send a JSON object."})
    errors: dict[str, str] = {str(k)[:100]: "Unknown field." for k in data if k not in RULE_FIELDS}
    merged = {**(current or {}), **data}
    values: dict[str, Any] = {}
    for field in ("name", "threshold", "period", "voucher"):
        if field not in merged:
            errors[field] = "This field is required."
    name = merged.get("name")
    if "name" in merged:
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
            errors["name"] = f"Enter a name of 1 to {MAX_NAME} characters."
        else:
            values["name"] = name.strip()
    if "threshold" in merged:
        threshold = _amount(merged["threshold"], "threshold", MAX_THRESHOLD)
        if isinstance(threshold, str):
            errors["threshold"] = threshold
        else:
            values["threshold"] = threshold
    period = merged.get("period")
    if "period" in merged:
        if period not in {p.value for p in VoucherPeriod}:
            errors["period"] = "Choose calendar_month, calendar_year or rolling_days."
        else:
            values["period"] = period
    days = merged.get("period_days")
    if period == VoucherPeriod.ROLLING_DAYS:
        number = whole_from_json(days)
        if number is None or not 1 <= number <= MAX_DAYS:
            errors["period_days"] = f"Enter a whole number of days from 1 to {MAX_DAYS}."
        else:
            values["period_days"] = number
    elif days is not None and "period_days" in data:
        errors["period_days"] = "Leave this null unless the period is rolling_days."
    else:
        values["period_days"] = None
    if "voucher" in merged:
        _voucher(merged["voucher"], values, errors)
    if errors:
        raise ValidationError(errors)
    return values


def _voucher(voucher: Any, values: dict[str, Any], errors: dict[str, str]) -> None:
    if not isinstance(voucher, Mapping):
        errors["voucher"] = 'Send {"kind": "gift_card" | "discount_code", "amount": "250"}.'
        return
    for key in voucher:
        if key not in ("kind", "amount"):
            errors[f"voucher.{str(key)[:80]}"] = "Unknown field."
    kind = voucher.get("kind")
    if kind not in {k.value for k in VoucherKind}:
        errors["voucher.kind"] = "Choose gift_card or discount_code."
    else:
        values["voucher_kind"] = kind
    amount = _amount(voucher.get("amount"), "voucher's amount", MAX_AMOUNT)
    if isinstance(amount, str):
        errors["voucher.amount"] = amount
    else:
        values["amount"] = amount
