"""The schema of a member's stamp cards, shared by the admin's and the proxy's documents.

``stamp_cards`` is in every member JSON (DESIGN.md, "The club and campaigns").
"""

from __future__ import annotations

from typing import Any

STAMP_REWARD: dict[str, Any] = {
    "oneOf": [
        {
            "type": "object",
            "required": ["kind", "product_id"],
            "properties": {
                "kind": {"const": "free_product"},
                "product_id": {
                    "type": "string",
                    "pattern": r"^[1-9][0-9]{0,17}$",
                    "description": "The product given free (100 % off it).",
                },
            },
            "additionalProperties": False,
        },
        {
            "type": "object",
            "required": ["kind", "amount"],
            "properties": {
                "kind": {"const": "fixed_amount"},
                "amount": {
                    "type": "string",
                    "pattern": r"^[1-9][0-9]{0,9}(\.[0-9]{1,4})?$",
                    "description": "Money off the order in the shop's currency, above 0 and "
                    "at most 1,000,000,000.",
                },
            },
            "additionalProperties": False,
        },
        {
            "type": "object",
            "required": ["kind", "percentage"],
            "properties": {
                "kind": {"const": "percentage"},
                "percentage": {"type": "integer", "minimum": 1, "maximum": 100},
            },
            "additionalProperties": False,
        },
    ],
    "description": "What a full card gives, as a one-customer, one-use discount code.",
}

MEMBER_STAMP_CARDS: dict[str, Any] = {
    "stamp_cards": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["id", "name", "stamps", "stamps_required", "rewards_earned"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "stamps": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Stamps on the card now (0 while a refund's debt is paid "
                    "back; a card that is not repeatable stays full once filled).",
                },
                "stamps_required": {"type": "integer"},
                "rewards_earned": {"type": "integer", "minimum": 0},
                "reward": STAMP_REWARD,
                "repeatable": {"type": "boolean"},
                "ends_at": {"type": ["string", "null"], "format": "date-time"},
                "codes": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"code": {"type": "string"}, "reward": STAMP_REWARD},
                    },
                    "description": "Reward codes made and not used yet.",
                },
            },
        },
        "description": "The shop's running stamp cards and any other the member holds stamps "
        "on (a guest sees them empty).",
    }
}
"""``stamp_cards``: add to a member's properties."""
