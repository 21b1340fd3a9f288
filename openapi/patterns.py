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


_OPTIONAL_TIME = {"type": ["string", "null"], "format": "date-time"}
WELCOME_CODE: dict[str, Any] = {
    "type": ["object", "null"],
    "description": "The member's welcome discount code: null until Klubb knows it (the welcome "
    "job makes it just after joining), when the shop gives none, and for an erased member.",
    "required": ["code", "percentage", "state"],
    "properties": {
        "code": {"type": "string", "examples": ["WELCOME-3F9A0C1B7D2E"]},
        "percentage": {"type": "integer", "minimum": 1, "maximum": 100},
        "state": {
            "enum": ["issued", "used", "expired"],
            "description": "`used` once an order carried the code (a cancelled or refunded order "
            "too: Shopify does not give the use back); `expired` once `ends_at` has passed "
            "unused; `issued` otherwise.",
        },
        "issued_at": {**_OPTIONAL_TIME, "description": "When the code was made in Shopify."},
        "ends_at": {**_OPTIONAL_TIME, "description": "Its end date; null: none."},
        "used_at": {**_OPTIONAL_TIME, "description": "When the order that used it was placed."},
        "order_id": {"type": ["string", "null"], "description": "The order that used it."},
    },
}
"""The member JSON's ``welcome_code`` (DESIGN.md, "The club and campaigns"), in both documents."""


def object_of(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A JSON object schema that has every one of ``properties``."""
    return {"type": "object", "required": list(properties), "properties": properties, **extra}
