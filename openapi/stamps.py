"""The schema of a member's stamp cards, shared by the admin's and the proxy's documents.

``stamp_cards`` is in every member JSON (DESIGN.md, "The club and campaigns").
"""

from __future__ import annotations

from typing import Any

STAMP_REWARD: dict[str, Any] = {
    "type": "object",
    "required": ["kind"],
    "properties": {
        "kind": {"enum": ["free_product", "fixed_amount", "percentage"]},
        "product_id": {"type": "string", "description": "free_product: the product given."},
        "amount": {"type": "string", "description": "fixed_amount: money off, shop currency."},
        "percentage": {"type": "integer", "minimum": 1, "maximum": 100},
    },
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
