"""A campaign's offer: what the message gives besides its words.

Three kinds, as JSON (``Campaign.offer``):

- ``{"kind": "member_code", "discount": "percentage" | "fixed_amount", "value", "valid_days"}``:
  a code of their own for each member (one ``discountCodeBasicCreate`` each, for that customer
  only, one use), made ahead of the send time by the codes job
  (:mod:`loyalty.campaigns.campaign_codes`);
- ``{"kind": "shared_code", "code", "discount", "value", "valid_days"}``: one code for the whole
  audience, any customer may use it once (``appliesOncePerCustomer``, no limit in total);
- ``{"kind": "bonus_points", "points"}``: points given to each member the message reached,
  once per campaign and member (ledger source key ``campaign:{id}:{member id}``);
- ``{"kind": "double_points", "multiplier", "starts_at", "ends_at"}``: the orders the
  campaign's audience places in the window earn ``multiplier`` times the points (2 unless
  given), on top of their tier's multiplier (:mod:`loyalty.campaigns.points_boost`).

``value`` is a whole percentage (1-100) or an amount in the shop's currency (a decimal string).
Codes are valid from when they are made until ``valid_days`` after the send time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from loyalty.core.models import RewardKind
from loyalty.core.payloads import parse_time
from loyalty.rewards.redemptions import CODE_LENGTH, CODE_PREFIX

MEMBER_CODE = "member_code"
SHARED_CODE = "shared_code"
BONUS_POINTS = "bonus_points"
DOUBLE_POINTS = "double_points"
KINDS = (MEMBER_CODE, SHARED_CODE, BONUS_POINTS, DOUBLE_POINTS)
MAX_MULTIPLIER = Decimal(10)
MAX_WINDOW = timedelta(days=90)
DISCOUNTS = (RewardKind.PERCENTAGE.value, RewardKind.FIXED_AMOUNT.value)
MAX_POINTS = 1_000_000
MAX_AMOUNT = Decimal("100000")
MAX_DAYS = 365
DEFAULT_DAYS = 14
SHARED_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,39}$")
MEMBER_CODE_LENGTH = len(CODE_PREFIX) + CODE_LENGTH
_KEYS = {
    MEMBER_CODE: {"kind", "discount", "value", "valid_days"},
    SHARED_CODE: {"kind", "code", "discount", "value", "valid_days"},
    BONUS_POINTS: {"kind", "points"},
    DOUBLE_POINTS: {"kind", "multiplier", "starts_at", "ends_at"},
}


@dataclass(frozen=True)
class Offer:
    """A checked offer."""

    kind: str
    discount: str | None = None
    value: Decimal | None = None
    valid_days: int = DEFAULT_DAYS
    code: str | None = None  # the shared code
    points: int = 0
    multiplier: Decimal | None = None  # double points: the window's earn multiplier
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @property
    def has_code(self) -> bool:
        return self.kind in (MEMBER_CODE, SHARED_CODE)

    def longest_code(self) -> str | None:
        """The longest code a message may carry (for the SMS length check); None: no code."""
        if self.kind == MEMBER_CODE:
            return "X" * MEMBER_CODE_LENGTH
        return self.code

    def as_json(self) -> dict[str, Any]:
        """The stored and shown form."""
        if self.kind == BONUS_POINTS:
            return {"kind": self.kind, "points": self.points}
        if self.kind == DOUBLE_POINTS:
            return {
                "kind": self.kind,
                "multiplier": format(Decimal(self.multiplier or 2).normalize(), "f"),
                "starts_at": self.starts_at.isoformat() if self.starts_at else None,
                "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            }
        out: dict[str, Any] = {
            "kind": self.kind,
            "discount": self.discount,
            "value": str(self.value),
            "valid_days": self.valid_days,
        }
        if self.code is not None:
            out["code"] = self.code
        return out


def offer_of(stored: Mapping[str, Any] | None) -> Offer | None:
    """The stored offer (checked when it was written), or None."""
    if not stored:
        return None
    if stored["kind"] == BONUS_POINTS:
        return Offer(BONUS_POINTS, points=int(stored["points"]))
    if stored["kind"] == DOUBLE_POINTS:
        return Offer(
            DOUBLE_POINTS,
            multiplier=Decimal(str(stored["multiplier"])),
            starts_at=parse_time(stored["starts_at"]),
            ends_at=parse_time(stored["ends_at"]),
        )
    return Offer(
        str(stored["kind"]),
        discount=str(stored["discount"]),
        value=Decimal(str(stored["value"])),
        valid_days=int(stored.get("valid_days", DEFAULT_DAYS)),
        code=stored.get("code"),
    )


def _whole(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def _value(discount: Any, raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, int | str) or len(str(raw)) > 20:
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0:
        return None
    if discount == RewardKind.PERCENTAGE:
        return value if value == value.to_integral_value() and value <= 100 else None
    if value > MAX_AMOUNT or value.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return value


def check_offer(raw: Any, errors: dict[str, str]) -> Offer | None:
    """The offer in a campaign's body checked (None: no offer); problems into ``errors``
    as ``offer`` or ``offer.<key>``."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or raw.get("kind") not in KINDS:
        errors["offer"] = "Choose an offer: member_code, shared_code or bonus_points."
        return None
    kind = str(raw["kind"])
    before = len(errors)
    for key in raw:
        if key not in _KEYS[kind]:
            errors[f"offer.{str(key)[:60]}"] = "Unknown field for this offer."
    if kind == BONUS_POINTS:
        points = _whole(raw.get("points"), 1, MAX_POINTS)
        if points is None:
            errors["offer.points"] = f"Give a whole number of points from 1 to {MAX_POINTS}."
        return Offer(kind, points=points or 0) if len(errors) == before else None
    if kind == DOUBLE_POINTS:
        return _double_points(raw, errors)
    discount = raw.get("discount")
    if discount not in DISCOUNTS:
        errors["offer.discount"] = "Choose percentage or fixed_amount."
    value = _value(discount, raw.get("value"))
    if value is None and discount in DISCOUNTS:
        errors["offer.value"] = (
            "A whole percentage from 1 to 100."
            if discount == RewardKind.PERCENTAGE
            else f"An amount above 0 and at most {MAX_AMOUNT}, with at most two decimals."
        )
    days = _whole(raw.get("valid_days", DEFAULT_DAYS), 1, MAX_DAYS)
    if days is None:
        errors["offer.valid_days"] = f"A whole number of days from 1 to {MAX_DAYS}."
    code = None
    if kind == SHARED_CODE:
        given = raw.get("code")
        code = given.strip().upper() if isinstance(given, str) else None
        if code is None or not SHARED_CODE_PATTERN.match(code):
            errors["offer.code"] = "3 to 40 letters A-Z, digits, - or _."
    if len(errors) != before:
        return None
    return Offer(kind, str(discount), value, days or DEFAULT_DAYS, code)


def _double_points(raw: Mapping[str, Any], errors: dict[str, str]) -> Offer | None:
    before = len(errors)
    multiplier = _value(RewardKind.FIXED_AMOUNT.value, raw.get("multiplier", "2"))
    if multiplier is None or not 1 < multiplier <= MAX_MULTIPLIER:
        errors["offer.multiplier"] = f"A multiplier above 1 and at most {MAX_MULTIPLIER}."
    times = {}
    for key in ("starts_at", "ends_at"):
        value = raw.get(key)
        times[key] = parse_time(value) if isinstance(value, str) and len(value) <= 40 else None
        if times[key] is None:
            errors[f"offer.{key}"] = "A date and time in ISO 8601."
    starts, ends = times["starts_at"], times["ends_at"]
    if starts is not None and ends is not None and not starts < ends <= starts + MAX_WINDOW:
        errors["offer.ends_at"] = "After the start, and at most 90 days after it."
    if len(errors) != before:
        return None
    return Offer(DOUBLE_POINTS, multiplier=multiplier, starts_at=starts, ends_at=ends)
