"""A segment's filter: the JSON a merchant saves, checked into a :class:`SegmentFilter`.

Every key is optional and the conditions are joined with AND; ``{}`` is every active member::

    {"points_balance": {"min": 100, "max": 5000},          whole points
     "lifetime_spend": {"min": "1000", "max": "20000.50"},  decimal strings, shop currency
     "orders_in_last_days": {"days": 90, "min": 2},         at least ``min`` orders (default 1)
     "last_order_before": iso-8601, "last_order_after": iso-8601,
     "buyer": "pos" | "online",                             bought in the shop, or online
     "birthday_month": 1..12, "language": "nb" | "en",
     "email_consent": bool, "sms_consent": bool,
     "joined_before": iso-8601, "joined_after": iso-8601,
     "tier": "<tier id>"}

Orders count when paid, not cancelled and not test orders; spend is their paid subtotal less
refunds. Every bad key is reported at once (:class:`~loyalty.core.errors.ValidationError`,
fields named ``filter.<key>``); a minimum above its maximum is an error, and so is an "after"
later than its "before". :func:`filter_json` gives the stored form back (the same keys,
normalised), so a saved filter reads back as the merchant can send it again.

Not here yet: "bought a product or collection" needs order lines, which Klubb does not store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from loyalty.core.errors import ValidationError
from loyalty.core.ids import id_from_json, whole_from_json
from loyalty.core.money import parse_amount
from loyalty.core.payloads import parse_time

LANGUAGES = ("nb", "en")
BUYERS = ("pos", "online")
MAX_POINTS = 10**15
MAX_DAYS = 3650
MAX_ORDERS = 100_000
MAX_TEXT = 40


class _Invalid(Exception):
    """One key's value breaks its rule; the message is shown beside it."""


@dataclass(frozen=True)
class SegmentFilter:
    """A checked filter; None is "no condition"."""

    min_points: int | None = None
    max_points: int | None = None
    min_spend: Decimal | None = None
    max_spend: Decimal | None = None
    recent_days: int | None = None
    recent_min_orders: int | None = None
    last_order_before: datetime | None = None
    last_order_after: datetime | None = None
    buyer: str | None = None
    birthday_month: int | None = None
    language: str | None = None
    email_consent: bool | None = None
    sms_consent: bool | None = None
    joined_before: datetime | None = None
    joined_after: datetime | None = None
    tier_id: int | None = None

    @property
    def needs_orders(self) -> bool:
        """Whether a condition reads the members' orders."""
        return any(
            v is not None
            for v in (
                self.min_spend,
                self.max_spend,
                self.recent_days,
                self.last_order_before,
                self.last_order_after,
                self.buyer,
            )
        )

    def used(self) -> list[str]:
        """The names of the conditions in use (no values: for logs and the audit)."""
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


def _whole(value: Any, low: int, high: int) -> int:
    number = whole_from_json(value)
    if number is None:
        raise _Invalid("Enter a whole number.")
    if not low <= number <= high:
        raise _Invalid(f"Enter a whole number from {low} to {high}.")
    return number


def _amount(value: Any) -> Decimal:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise _Invalid('Enter an amount as a decimal string, like "250.00".')
    amount = parse_amount(value)
    if amount is None or amount < 0 or amount.as_tuple().exponent < -4:  # type: ignore[operator]
        raise _Invalid("Enter an amount of at least 0, with at most 4 decimals.")
    return amount


def _moment(value: Any) -> datetime:
    moment = parse_time(value) if isinstance(value, str) and len(value) <= MAX_TEXT else None
    if moment is None:
        raise _Invalid("Enter a date and time in ISO 8601, like 2026-12-01T00:00:00+01:00.")
    return moment.astimezone(UTC)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("Choose true or false.")
    return value


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise _Invalid("Choose " + " or ".join(options) + ".")
        return str(value)

    return check


def _range(parse: Callable[[Any], Any]) -> Callable[[Any], tuple[Any, Any]]:
    """``{"min": x, "max": y}``, either one optional, min not above max."""

    def check(value: Any) -> tuple[Any, Any]:
        if not isinstance(value, Mapping) or not value or set(value) - {"min", "max"}:
            raise _Invalid('Send {"min": …, "max": …} (either one may be left out).')
        low = parse(value["min"]) if value.get("min") is not None else None
        high = parse(value["max"]) if value.get("max") is not None else None
        if low is not None and high is not None and low > high:
            raise _Invalid("The minimum must not be above the maximum.")
        return low, high

    return check


def _recent(value: Any) -> tuple[int, int]:
    if not isinstance(value, Mapping) or "days" not in value or set(value) - {"days", "min"}:
        raise _Invalid('Send {"days": N, "min": orders} ("min" is 1 when left out).')
    days = _whole(value["days"], 1, MAX_DAYS)
    least = _whole(value.get("min", 1), 1, MAX_ORDERS)
    return days, least


def _tier(value: Any) -> int:
    tier_id = id_from_json(value) if isinstance(value, str) else None
    if tier_id is None:
        raise _Invalid("Send the tier's id as a string.")
    return tier_id


_KEYS: dict[str, tuple[Callable[[Any], Any], tuple[str, ...]]] = {
    "points_balance": (
        _range(lambda v: _whole(v, -MAX_POINTS, MAX_POINTS)),
        ("min_points", "max_points"),
    ),
    "lifetime_spend": (_range(_amount), ("min_spend", "max_spend")),
    "orders_in_last_days": (_recent, ("recent_days", "recent_min_orders")),
    "last_order_before": (_moment, ("last_order_before",)),
    "last_order_after": (_moment, ("last_order_after",)),
    "buyer": (_choice(BUYERS), ("buyer",)),
    "birthday_month": (lambda v: _whole(v, 1, 12), ("birthday_month",)),
    "language": (_choice(LANGUAGES), ("language",)),
    "email_consent": (_boolean, ("email_consent",)),
    "sms_consent": (_boolean, ("sms_consent",)),
    "joined_before": (_moment, ("joined_before",)),
    "joined_after": (_moment, ("joined_after",)),
    "tier": (_tier, ("tier_id",)),
}
"""Each filter key: its parser and the :class:`SegmentFilter` fields it fills."""
KEYS = tuple(_KEYS)

_ORDERED = (("last_order_after", "last_order_before"), ("joined_after", "joined_before"))


def parse_filter(data: Any) -> SegmentFilter:
    """``data`` checked; raises ValidationError naming every bad key (``filter.<key>``)."""
    if not isinstance(data, Mapping):
        raise ValidationError({"filter": "Send the filter as a JSON object."})
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key, value in data.items():
        rule = _KEYS.get(key) if isinstance(key, str) else None
        if rule is None:
            errors[f"filter.{str(key)[:100]}"] = "Unknown filter."
            continue
        parse, names = rule
        try:
            parsed = parse(value)
        except _Invalid as err:
            errors[f"filter.{key}"] = str(err)
            continue
        values.update(zip(names, parsed if len(names) > 1 else (parsed,), strict=True))
    for after, before in _ORDERED:
        low, high = values.get(after), values.get(before)
        if low is not None and high is not None and low >= high:
            errors[f"filter.{after}"] = f"Choose a moment before {before}."
    if errors:
        raise ValidationError(errors, "The filter is not valid.")
    return SegmentFilter(**values)


def filter_json(wanted: SegmentFilter) -> dict[str, Any]:
    """The filter as JSON, in the form :func:`parse_filter` reads (stored and shown)."""
    out: dict[str, Any] = {}

    def pair(key: str, low: Any, high: Any, dump: Callable[[Any], Any]) -> None:
        if low is not None or high is not None:
            out[key] = {
                **({"min": dump(low)} if low is not None else {}),
                **({"max": dump(high)} if high is not None else {}),
            }

    pair("points_balance", wanted.min_points, wanted.max_points, int)
    pair("lifetime_spend", wanted.min_spend, wanted.max_spend, _decimal_text)
    if wanted.recent_days is not None:
        out["orders_in_last_days"] = {
            "days": wanted.recent_days,
            "min": wanted.recent_min_orders or 1,
        }
    for key in ("last_order_before", "last_order_after", "joined_before", "joined_after"):
        moment = getattr(wanted, key)
        if moment is not None:
            out[key] = moment.isoformat()
    for key in ("buyer", "birthday_month", "language", "email_consent", "sms_consent"):
        if getattr(wanted, key) is not None:
            out[key] = getattr(wanted, key)
    if wanted.tier_id is not None:
        out["tier"] = str(wanted.tier_id)
    return out


def _decimal_text(amount: Decimal) -> str:
    """``Decimal('250.00')`` → ``"250"``; never exponent notation."""
    return format(amount.normalize(), "f")
