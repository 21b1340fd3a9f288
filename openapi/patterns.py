"""Patterns and schemas both documents share: ids, decimals, text."""

from __future__ import annotations

from typing import Any

FRACTION_ABOVE_ZERO = r"0\.(?:[1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9])"
"""A decimal above 0 and below 1 with at most 4 decimals, for patterns of rates and amounts."""

PLAIN_TEXT = r"^[\x20-\x7e\xa0-\xac\xae-\u024f\u2010-\u2027\u2030-\u205e\u20a0-\u20c0]*$"
"""Text in Latin script with punctuation and currency signs: a subset of what every text field
accepts (they refuse control, invisible and unassigned characters, which JSON Schema cannot
name portably); the schema's description says what else is accepted."""

ID_PATTERN = "^[1-9][0-9]{0,18}$"
"""Klubb's and Shopify's numeric ids: above 0, at most 19 digits (a BIGINT), as a string."""


def id_schema(description: str) -> dict[str, Any]:
    """A path parameter that is a numeric id, written as a string (DESIGN.md, JSON conventions)."""
    return {"type": "string", "pattern": ID_PATTERN, "description": description}
