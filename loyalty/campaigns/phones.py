"""Phone numbers as E.164 (``+4791234567``), the form SMS providers take.

Members' phones come from Shopify (usually E.164 already), from imports and from people, so
they arrive as written: ``912 34 567``, ``0047 91234567``, ``+47 912-34-567``. A Norwegian
number is 8 digits, written alone or after ``+47``, ``0047`` or ``47``; any other country's
number needs its ``+`` (or ``00``) prefix, since 10 digits alone could be anyone's. Spaces,
hyphens, dots and brackets between the digits are ignored; anything else is refused with a
:class:`PhoneRefused` that says why (its ``reason`` is a stable code, its text English), so a
campaign can skip the member with that reason rather than guess.
"""

from __future__ import annotations

import re

from loyalty.core.errors import LoyaltyError

NORWAY = "47"
NORWEGIAN_DIGITS = 8
E164_MAX_DIGITS = 15
E164_MIN_DIGITS = 7
"""The shortest numbers in use (a few small countries) have 7 digits with the country code."""
MAX_INPUT = 40
"""Longer text is no phone number (the members table's ``phone`` is 40 characters)."""

E164_PATTERN = r"\+(?:47[2-9][0-9]{7}|4[0-68-9][0-9]{5,13}|[1-35-9][0-9]{6,14})"
"""What :func:`to_e164` returns, as a pattern (for API schemas: ``^…$``)."""
NORWEGIAN_PATTERN = r"[2-9][0-9]{7}"
"""A Norwegian number written without its country code."""

_SEPARATORS = re.compile(r"[ \t\-.()/\u00a0]")
_ASCII_DIGITS = re.compile(r"[0-9]+")


class PhoneRefused(LoyaltyError):
    """Not a number SMS can be sent to; ``reason`` says why in one stable word."""

    code = "phone_refused"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def to_e164(text: str | None) -> str:
    """``text`` as an E.164 number (``+`` and digits); raises :class:`PhoneRefused`.

    Norwegian numbers may leave out the country code; their first digit is 2-9 (the national
    numbering plan gives 0 and 1 to no 8-digit number).
    """
    if text is None or not text.strip():
        raise PhoneRefused("missing", "No phone number.")
    if len(text) > MAX_INPUT:
        raise PhoneRefused("too_long", "Too long for a phone number.")
    compact = _SEPARATORS.sub("", text.strip())
    international = compact.startswith(("+", "00"))
    digits = compact[1:] if compact.startswith("+") else compact
    if digits.startswith("00") and international:
        digits = digits[2:]
    if not _ASCII_DIGITS.fullmatch(digits):
        raise PhoneRefused(
            "characters", "A phone number holds only digits, spaces and a leading +."
        )
    if not international:
        if len(digits) == NORWEGIAN_DIGITS:
            digits = NORWAY + digits
        elif not (len(digits) == len(NORWAY) + NORWEGIAN_DIGITS and digits.startswith(NORWAY)):
            raise PhoneRefused(
                "no_country",
                "Write the country code (+46 …) in front of a number that is not Norwegian.",
            )
    return "+" + _checked(digits)


def _checked(digits: str) -> str:
    """Digits with their country code, checked as E.164 (Norway's by its own plan)."""
    if digits.startswith("0"):
        raise PhoneRefused("country_code", "No country code begins with 0.")
    if digits.startswith(NORWAY):
        national = digits[len(NORWAY) :]
        if len(national) != NORWEGIAN_DIGITS:
            raise PhoneRefused("length", "A Norwegian number has 8 digits after +47.")
        if national[0] in "01":
            raise PhoneRefused("not_in_use", "No Norwegian number begins with 0 or 1.")
        return digits
    if len(digits) > E164_MAX_DIGITS:
        raise PhoneRefused("length", "A phone number has at most 15 digits.")
    if len(digits) < E164_MIN_DIGITS:
        raise PhoneRefused("length", "Too short for a phone number with its country code.")
    return digits


def is_norwegian(e164: str) -> bool:
    """Whether an E.164 number (from :func:`to_e164`) is Norwegian."""
    return e164.startswith("+" + NORWAY) and len(e164) == 1 + len(NORWAY) + NORWEGIAN_DIGITS
