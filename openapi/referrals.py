"""The schemas of referrals, shared by the admin's and the proxy's documents.

``referral`` is in every member JSON (DESIGN.md, "The club and campaigns"); a referral's
``state`` is one of :data:`STATES` (``loyalty.core.models.ReferralOutcome``).
"""

from __future__ import annotations

from typing import Any

from openapi.patterns import object_of

STATES = ["signed_up", "ordered", "rewarded", "not_eligible", "capped"]
CODE_STATES = ["pending", "issued", "failed"]
_TIME = {"type": "string", "format": "date-time"}
_OPTIONAL_TIME = {"type": ["string", "null"], "format": "date-time"}

REFERRAL: dict[str, Any] = {
    "type": ["object", "null"],
    "required": ["code", "url"],
    "properties": {
        "code": {"type": "string", "pattern": "^[A-Z2-9]{8}$", "examples": ["K7QW2MXP"]},
        "url": {
            "type": "string",
            "description": "The shop's address with `?ref=CODE`: the link to share.",
            "examples": ["https://example.myshopify.com/?ref=K7QW2MXP"],
        },
    },
    "description": "The member's referral code and link; null while the shop has referrals "
    "off, or for a member who is not active.",
}
"""``referral``: add to a member's properties."""

REFERRAL_ROW: dict[str, Any] = object_of(
    {
        "id": {"type": "string"},
        "friend_email": {
            "type": ["string", "null"],
            "description": "The friend's email (masked for the referrer: `k•••@example.com`); "
            "null once erased.",
        },
        "state": {
            "enum": STATES,
            "description": "`signed_up`: no order yet; `ordered`: the first order is in its "
            "waiting period; `rewarded`: the referrer was paid; `not_eligible`: refunded or "
            "cancelled; `capped`: over the referrer's monthly cap.",
        },
        "code_state": {"enum": CODE_STATES, "description": "The friend's discount code."},
        "points": {"type": "integer", "description": "Points the referrer holds for it."},
        "points_promised": {"type": "integer", "description": "The reward as set at sign-up."},
        "order_id": {"type": ["string", "null"], "description": "The friend's first order."},
        "created_at": _TIME,
        "settled_at": _OPTIONAL_TIME,
    }
)
"""One referral as its referrer (widget) or staff (report) see it."""

REFERRAL_OFFER: dict[str, Any] = {
    "type": ["object", "null"],
    "required": ["discount_percent", "code_days", "points", "wait_days"],
    "properties": {
        "discount_percent": {"type": "integer", "description": "The friend's discount."},
        "code_days": {"type": "integer", "description": "Days the friend's code lasts."},
        "points": {"type": "integer", "description": "The referrer's reward."},
        "wait_days": {
            "type": "integer",
            "description": "Days the friend's first order must stand before the reward.",
        },
    },
    "description": "What referrals give; null: the shop has referrals off.",
}
