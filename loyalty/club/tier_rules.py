"""What a tier may be, and what a shop's ladder of tiers may be (``/api/tiers``'s 422s).

A tier's JSON: ``name`` (1 to 60 characters), ``basis`` (``points`` earned, money ``spend``,
paid ``orders``), ``threshold`` (a whole number of points or orders, or a decimal string of
money for spend; 0 or more), ``period`` (``lifetime``, ``rolling_12_months``,
``calendar_year``), ``earn_multiplier`` (a decimal string, 1 to 10, two decimals), ``perks``
(null, one text, or ``{"en": ..., "nb": ...}``), ``entry_bonus`` (points, once per member per
tier) and ``recurring_reward`` (null or ``{"points": n, "every": "month" | "year"}``).

A ladder: at most :data:`MAX_TIERS` tiers, all with the same basis and period (decision: a
ladder mixing them has no "next tier" a member could be told how far away is), thresholds
strictly increasing with the position (equal thresholds overlap: two tiers a member would
enter at once). Every bad field is reported at once; nothing is stored unless all are good.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from loyalty.core.errors import ValidationError
from loyalty.core.ids import whole_from_json, whole_from_text
from loyalty.core.models import TierBasis, TierPeriod

MAX_TIERS = 10
MAX_NAME = 60
MAX_PERKS = 500
MAX_COUNT = 10**9  # points or orders
MAX_SPEND = Decimal(10) ** 12
MAX_BONUS = 100_000
LANGUAGES = ("en", "nb")
EVERY = ("month", "year")
TIER_FIELDS = (
    "name",
    "basis",
    "threshold",
    "period",
    "earn_multiplier",
    "perks",
    "entry_bonus",
    "recurring_reward",
)
_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,12})(\.[0-9]{1,4})?")
_MULTIPLIER = re.compile(r"([1-9]|10)(\.[0-9]{1,2})?")


class InvalidField(Exception):
    """One field's value breaks its rule; the message is shown beside the field."""


@dataclass(frozen=True)
class Step:
    """What the ladder's rules look at in a tier: its basis, period and threshold."""

    basis: str
    period: str
    threshold: Decimal


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_NAME:
        raise InvalidField(f"Enter a name of 1 to {MAX_NAME} characters.")
    return value.strip()


def _choice(options: Sequence[str], message: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            raise InvalidField(message)
        return value

    return check


def parse_threshold(basis: str | None, value: Any) -> Decimal:
    """A threshold for ``basis``: whole points or orders, or an amount of money (spend)."""
    if basis == TierBasis.SPEND:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not _DECIMAL.fullmatch(value.strip()):
            if isinstance(value, str) and value.strip().startswith("-"):
                raise InvalidField("The threshold cannot be below 0.")
            raise InvalidField('Enter an amount as a decimal string, like "2500" or "2500.50".')
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise InvalidField("Enter an amount.") from None
        if amount >= MAX_SPEND:
            raise InvalidField("Enter an amount below 1,000,000,000,000.")
        return amount
    number = whole_from_json(value)
    if number is None and isinstance(value, str):
        number = whole_from_text(value.strip())
    if number is None:
        raise InvalidField("Enter a whole number, like 1000.")
    if number < 0:
        raise InvalidField("The threshold cannot be below 0.")
    if number > MAX_COUNT:
        raise InvalidField(f"Enter at most {MAX_COUNT:,}.")
    return Decimal(number)


def _multiplier(value: Any) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidField('Enter the multiplier as a decimal string, like "1.5".')
    text = value.strip()
    try:
        number = Decimal(text) if len(text) <= 20 else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise InvalidField('Enter the multiplier as a decimal string, like "1.5".')
    if number < 1:
        raise InvalidField("The multiplier cannot be below 1 (1 earns the normal points).")
    if number > 10:
        raise InvalidField("The multiplier can be at most 10.")
    if not _MULTIPLIER.fullmatch(text):
        raise InvalidField("Use at most 2 decimals, like 1.25.")
    return number


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value.strip()) > MAX_PERKS:
        raise InvalidField(f"Enter at most {MAX_PERKS} characters.")
    return value.strip()


def _perks(value: Any) -> str | dict[str, str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return _text(value) or None
    if isinstance(value, Mapping):
        if not set(value) <= set(LANGUAGES):
            raise InvalidField("Give one text, or texts for en and nb.")
        texts = {lang: _text(value[lang]) for lang in LANGUAGES if value.get(lang) is not None}
        return {lang: text for lang, text in texts.items() if text} or None
    raise InvalidField("Give one text, or texts for en and nb.")


def _bonus(value: Any) -> int:
    number = whole_from_json(value)
    if number is None or not 0 <= number <= MAX_BONUS:
        raise InvalidField(f"Enter a whole number of points from 0 to {MAX_BONUS:,}.")
    return number


def _recurring(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"points", "every"}:
        raise InvalidField('Send null or {"points": 50, "every": "month"}.')
    points = whole_from_json(value["points"])
    if points is None or not 1 <= points <= MAX_BONUS:
        raise InvalidField(f"Give 1 to {MAX_BONUS:,} points.")
    if value["every"] not in EVERY:
        raise InvalidField("Give the points every month or every year.")
    return {"points": points, "every": value["every"]}


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "name": _name,
    "basis": _choice([b.value for b in TierBasis], "Choose points, spend or orders."),
    "period": _choice(
        [p.value for p in TierPeriod], "Choose lifetime, rolling_12_months or calendar_year."
    ),
    "earn_multiplier": _multiplier,
    "perks": _perks,
    "entry_bonus": _bonus,
    "recurring_reward": _recurring,
}
DEFAULTS: dict[str, Any] = {
    "period": TierPeriod.LIFETIME.value,
    "earn_multiplier": "1",
    "perks": None,
    "entry_bonus": 0,
    "recurring_reward": None,
}


def validate_tier(
    data: Mapping[str, Any], current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Check a tier's fields (``data`` over ``current``, else the defaults); the values to store.

    Raises :class:`ValidationError` naming every bad or unknown field.
    """
    if not isinstance(data, Mapping):
        raise ValidationError({"_body": "Send a JSON object."})
    errors = {str(k)[:100]: "Unknown field." for k in data if k not in TIER_FIELDS}
    merged = {**DEFAULTS, **(current or {}), **{k: v for k, v in data.items() if k in TIER_FIELDS}}
    values: dict[str, Any] = {}
    for name, check in _CHECKS.items():
        if name not in merged and name in ("name", "basis"):
            errors[name] = "Required."
            continue
        try:
            values[name] = check(merged.get(name))
        except InvalidField as err:
            errors[name] = str(err)
    if "threshold" not in merged:
        errors["threshold"] = "Required."
    elif "basis" not in errors:
        try:
            values["threshold"] = parse_threshold(values.get("basis"), merged["threshold"])
        except InvalidField as err:
            errors["threshold"] = str(err)
    if errors:
        raise ValidationError(errors)
    return values


OVERLAP = "Another tier starts at this threshold: each tier needs more than the one below it."
NOT_ABOVE = "Each tier needs a higher threshold than the tier below it."


def ladder_errors(ladder: Sequence[Step]) -> tuple[dict[str, str], int | None]:
    """What is wrong with ``ladder`` (tiers in position order): problems of the whole (size,
    a mix of bases or periods) by field, and the position of the first tier whose threshold
    is not above the one below it (None: they increase)."""
    errors: dict[str, str] = {}
    if len(ladder) > MAX_TIERS:
        errors["_ladder"] = f"A shop can have at most {MAX_TIERS} tiers."
    if ladder:
        first = ladder[0]
        if any(rung.basis != first.basis for rung in ladder):
            errors["basis"] = "All tiers count the same thing: change it for the whole ladder."
        if any(rung.period != first.period for rung in ladder):
            errors["period"] = (
                "All tiers count over the same period: change it for the whole ladder."
            )
    for position in range(1, len(ladder)):
        if ladder[position].threshold <= ladder[position - 1].threshold:
            return errors, position
    return errors, None


def threshold_message(ladder: Sequence[Step], position: int) -> str:
    """Why the tier at ``position`` cannot have its threshold: the same as the one below
    (overlapping), or not above it."""
    same = ladder[position].threshold == ladder[position - 1].threshold
    return OVERLAP if same else NOT_ABOVE
