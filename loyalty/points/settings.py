"""A shop's program settings: read them, and change them under the rules every field has.

The rules live here, not in the admin, so every way in (the admin API, a future CLI or a test)
checks the same things. Input is JSON-shaped: numbers as JSON numbers or numeric strings, the
earn rate preferably as a decimal string (floats lose digits), ``auto_enrol`` as a JSON boolean.
Every bad field is reported at once, with its own message; nothing is saved unless all are good.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.social import NETWORKS, profile_url
from loyalty.core.errors import ValidationError
from loyalty.core.ids import whole_from_text
from loyalty.core.models import ProgramSettings, Shop
from loyalty.core.types import utcnow
from loyalty.privacy import audit
from loyalty.privacy.retention_policy import BOUNDS, PERIODS

MAX_TEXT = 40  # longer strings are not numbers anyone typed
_DECIMAL = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_CLOCK = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")


class _Invalid(Exception):
    """One field's value breaks its rule; the message is shown beside the field."""


def _text(value: str) -> str:
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise _Invalid("Enter a number.")
    return text


def _to_decimal(value: Any) -> Decimal:
    """A finite Decimal from a JSON number or numeric string; never from a boolean."""
    if isinstance(value, bool):
        raise _Invalid("Enter a number, not true or false.")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Invalid("Enter a finite number.")
        return Decimal(repr(value))  # repr gives the shortest string that round-trips
    if isinstance(value, str):
        text = _text(value)
        if not _DECIMAL.fullmatch(text):
            raise _Invalid("Enter a number, like 1 or 2.5.")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise _Invalid("Enter a number, like 1 or 2.5.") from None
    raise _Invalid("Enter a number.")


def _to_int(value: Any) -> int:
    """An int from a JSON integer or an integer string; never from a boolean or a fraction."""
    if isinstance(value, bool):
        raise _Invalid("Enter a whole number, not true or false.")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise _Invalid("Enter a whole number.")
        return int(value)
    if isinstance(value, str):
        number = whole_from_text(_text(value))
        if number is None:
            raise _Invalid("Enter a whole number.")
        return number
    raise _Invalid("Enter a whole number.")


def _earn_rate(value: Any) -> Decimal:
    rate = _to_decimal(value)
    if not (Decimal(0) < rate <= Decimal(1000)):
        raise _Invalid("Enter a rate above 0 and at most 1000.")
    rate = rate.normalize()
    if rate.as_tuple().exponent < -4:  # type: ignore[operator]
        raise _Invalid("Use at most 4 decimals.")
    return rate


def _int_between(low: int, high: int, what: str) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        number = _to_int(value)
        if not low <= number <= high:
            raise _Invalid(f"Enter {what} from {low} to {high}.")
        return number

    return check


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("Choose on or off (true or false).")
    return value


def _choice(*options: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise _Invalid(f"Choose {', '.join(options[:-1])} or {options[-1]}.")
        return str(value)

    return check


def _profile(network: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        try:
            return profile_url(network, value)
        except ValueError as err:
            raise _Invalid(str(err)) from None

    return check


def _quiet_hours(value: Any) -> dict[str, str] | None:
    """``{"start": "HH:MM", "end": "HH:MM"}`` (a span may cross midnight), or null for none."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"start", "end"}:
        raise _Invalid('Send {"start": "21:00", "end": "08:00"}, or null for none.')
    start, end = value["start"], value["end"]
    if not all(isinstance(v, str) and _CLOCK.fullmatch(v) for v in (start, end)):
        raise _Invalid("Enter times as HH:MM, from 00:00 to 23:59.")
    if start == end:
        raise _Invalid("Choose an end other than the start (null: no quiet hours).")
    return {"start": start, "end": end}


@dataclass(frozen=True)
class Field:
    """One setting: how to check an input value, and how to show the stored one in JSON."""

    parse: Callable[[Any], Any]
    dump: Callable[[Any], Any]


def _decimal_string(value: Decimal) -> str:
    """``Decimal('1.5000')`` → ``"1.5"``; never exponent notation."""
    return format(Decimal(value).normalize(), "f")


def _same(value: Any) -> Any:
    return value


FIELDS: dict[str, Field] = {
    "earn_rate": Field(_earn_rate, _decimal_string),
    "signup_bonus": Field(_int_between(0, 100_000, "points"), int),
    "welcome_discount_percent": Field(_int_between(0, 100, "a percentage"), int),
    "welcome_discount_days": Field(_int_between(0, 365, "days"), int),
    "expiry_months": Field(_int_between(0, 120, "months"), int),
    "auto_enrol": Field(_boolean, bool),
    "pending_days": Field(_int_between(0, 365, "days"), int),
    # Retention periods (loyalty.privacy.retention_policy), each within its sane bounds.
    **{name: Field(_int_between(*BOUNDS[name], name.rsplit("_", 1)[-1]), int) for name in PERIODS},
    # Ways to earn beyond orders (loyalty.club): the birthday reward, follows, the newsletter.
    "birthday_reward": Field(_choice("off", "points", "code"), str),
    "birthday_points": Field(_int_between(1, 100_000, "points"), int),
    "birthday_discount_percent": Field(_int_between(1, 100, "a percentage"), int),
    "birthday_code_days": Field(_int_between(1, 365, "days"), int),
    "birthday_timing": Field(_choice("month", "day"), str),
    "birthday_change_wait_days": Field(_int_between(0, 365, "days"), int),
    **{
        name: field
        for network in NETWORKS
        for name, field in (
            (f"{network}_url", Field(_profile(network), _same)),
            (f"{network}_points", Field(_int_between(0, 100_000, "points"), int)),
        )
    },
    "newsletter_points": Field(_int_between(0, 100_000, "points"), int),
    # No marketing SMS inside them, in the shop's time zone (loyalty.campaigns.quiet_hours).
    "quiet_hours": Field(_quiet_hours, _same),
    # VIP tiers (loyalty.club): the downgrade grace period; adjustments as points earned.
    "tier_grace_days": Field(_int_between(0, 365, "days"), int),
    "tier_counts_adjustments": Field(_boolean, bool),
    # Referrals (loyalty.club.referrals): the friend's code, the referrer's reward and guards.
    "referral_enabled": Field(_boolean, bool),
    "referral_points": Field(_int_between(1, 100_000, "points"), int),
    "referral_discount_percent": Field(_int_between(1, 100, "a percentage"), int),
    "referral_code_days": Field(_int_between(1, 365, "days"), int),
    "referral_wait_days": Field(_int_between(0, 365, "days"), int),
    "referral_monthly_cap": Field(_int_between(1, 1000, "referrals"), int),
}
"""Every setting the API shows and accepts, in the order the admin lists them."""


def validate_settings(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``data`` against :data:`FIELDS`; the parsed values, or ValidationError naming all."""
    if not isinstance(data, Mapping):
        raise ValidationError({"_body": "Send a JSON object of settings."})
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, value in data.items():
        field = FIELDS.get(name) if isinstance(name, str) else None
        if field is None:
            errors[str(name)[:100]] = "Unknown setting."
            continue
        try:
            values[name] = field.parse(value)
        except _Invalid as err:
            errors[name] = str(err)
    if errors:
        raise ValidationError(errors)
    return values


def _serialise(row: ProgramSettings) -> dict[str, Any]:
    return {name: field.dump(getattr(row, name)) for name, field in FIELDS.items()}


def _row(session: Session, shop_id: int) -> ProgramSettings:
    """The shop's settings row, created with the defaults if the shop has none yet."""
    row = session.get(ProgramSettings, shop_id)
    if row is None:
        row = ProgramSettings(shop_id=shop_id)
        session.add(row)
        session.flush()  # applies the column defaults
    return row


def get_settings(sessions: sessionmaker[Session], shop_id: int) -> dict[str, Any]:
    """The shop's program settings as JSON-ready values (the earn rate as a decimal string)."""
    with sessions.begin() as session:
        return _serialise(_row(session, shop_id))


def update_settings(
    sessions: sessionmaker[Session],
    shop_id: int,
    data: Mapping[str, Any],
    actor: str | None = None,
) -> dict[str, Any]:
    """Change the settings named in ``data`` (others keep their value); the settings after.

    Raises :class:`ValidationError` listing every bad or unknown field; then nothing changes.
    ``actor`` (the staff user id) goes into the audit log with the names of the changed fields.
    """
    values = validate_settings(data)
    with sessions.begin() as session:
        row = _row(session, shop_id)
        before = _serialise(row)
        for name, value in values.items():
            setattr(row, name, value)
        session.flush()
        after = _serialise(row)
        audit.record_changes(session, shop_id, actor, "settings.update", before, after, FIELDS)
        # Saved once, changed or not: the setup guide's "Review the program" step is done.
        session.execute(
            update(Shop)
            .where(Shop.id == shop_id, Shop.program_reviewed_at.is_(None))
            .values(program_reviewed_at=utcnow())
        )
        return after
