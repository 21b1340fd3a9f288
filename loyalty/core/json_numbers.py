"""Whole numbers in JSON bodies, as the OpenAPI documents' ``"type": "integer"`` promises them.

JSON has one number type: to JSON Schema ``5`` and ``5.0`` are the same integer, so a client
that follows the documents may send either, while Python reads the second as a float. Fields
documented as integers read both; a fraction, a boolean or text is not a whole number.
"""

from __future__ import annotations

from typing import Any


def whole_number(value: Any) -> int | None:
    """``value`` as an int when it is a whole JSON number (``5`` or ``5.0``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
