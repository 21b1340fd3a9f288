"""The schemas of a member's VIP tier, shared by the admin's and the proxy's documents.

``tier`` and ``next_tier`` are in every member JSON (DESIGN.md, "The club and campaigns");
``PUBLIC_TIER`` is a tier as shoppers see it in ``GET /proxy/api/member``'s ``tiers``.
"""

from __future__ import annotations

from typing import Any

_AMOUNT = {
    "type": ["integer", "string"],
    "description": "Whole points or orders, or a decimal string of money (basis `spend`).",
}
_PERKS = {
    "type": ["string", "object", "null"],
    "description": "As the merchant typed it: one text for every language, or "
    '`{"en": ..., "nb": ...}`.',
}

TIER_STANDING: dict[str, Any] = {
    "tier": {
        "type": ["object", "null"],
        "required": ["id", "name"],
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
        "description": "The member's VIP tier; null: none (or the shop has no tiers).",
    },
    "next_tier": {
        "type": ["object", "null"],
        "required": ["id", "name", "remaining", "basis", "threshold", "progress"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "remaining": {**_AMOUNT, "description": "What the member still needs for it."},
            "basis": {"enum": ["points", "spend", "orders"]},
            "threshold": _AMOUNT,
            "progress": {**_AMOUNT, "description": "What the member has now, over the period."},
            "currency": {"type": "string", "description": "With basis `spend`."},
        },
        "description": "The tier above the member's; null: the top tier (or no tiers).",
        "examples": [
            {
                "id": "3",
                "name": "Gold",
                "remaining": "1250",
                "basis": "spend",
                "threshold": "2500",
                "progress": "1250",
                "currency": "NOK",
            }
        ],
    },
}
"""``tier`` and ``next_tier``: add to a member's properties (both are always present)."""

PUBLIC_TIER: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name", "basis", "threshold", "period", "earn_multiplier", "perks"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "basis": {"enum": ["points", "spend", "orders"]},
        "threshold": _AMOUNT,
        "currency": {"type": "string"},
        "period": {"enum": ["lifetime", "rolling_12_months", "calendar_year"]},
        "earn_multiplier": {"type": "string", "examples": ["1.5"]},
        "perks": _PERKS,
        "entry_bonus": {"type": "integer"},
        "recurring_reward": {"type": ["object", "null"]},
    },
}
"""A tier as shoppers see it: what it takes, its multiplier and perks."""
