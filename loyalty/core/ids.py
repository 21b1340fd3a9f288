"""Ids and whole numbers from outside: the one parser every way in uses.

A URL segment, a query parameter, a JSON field, a CSV cell or a webhook body may carry what
looks like a number and is not one Klubb can use. ``str.isdigit`` accepts ``²`` (which ``int``
refuses) and ``int`` reads ``٣`` as 3; Python refuses to turn more than 4,300 digits into an
int; and every id column is PostgreSQL's ``BIGINT``, which refuses anything above
:data:`MAX_ID`. So text is a number here only when it is ASCII digits (with a sign where a sign
makes sense) of a sane length, and an id only when it is also above 0 and within ``BIGINT``.
Anything else reads as ``None``: the caller's "no such id" or "not a whole number", never an
exception or a statement the database refuses.
"""

from __future__ import annotations

import re
from typing import Any

MAX_ID = 2**63 - 1
"""The largest value of PostgreSQL's ``BIGINT``, the type of every id column."""

_ID = re.compile(r"[0-9]{1,19}")
_WHOLE = re.compile(r"[+-]?[0-9]{1,19}")


def id_from_text(text: str | None) -> int | None:
    """The id that ``text`` is (ASCII digits, 1 to :data:`MAX_ID`), or None."""
    if text is None or not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def id_from_json(value: Any) -> int | None:
    """An id from JSON: a whole number or its decimal string, 1 to :data:`MAX_ID`; else None.

    ``true`` is not an id (JSON booleans are ints in Python), nor is ``1.0``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if isinstance(value, str):
        return id_from_text(value)
    return None


def whole_from_text(text: str | None, low: int = -MAX_ID, high: int = MAX_ID) -> int | None:
    """The whole number ``text`` is (an optional sign and ASCII digits) within ``low..high``.

    None when it is not one or lies outside the bounds; the caller names the bounds in its
    message. Surrounding whitespace is the caller's to strip or refuse.
    """
    if text is None or not _WHOLE.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def whole_from_json(value: Any) -> int | None:
    """A whole number from JSON: ``5`` or ``5.0``; None for a fraction, a boolean or text.

    To JSON Schema (and so to the OpenAPI documents' ``"type": "integer"``) ``5.0`` is the same
    integer as ``5``, while Python reads it as a float. The caller checks the bounds.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
