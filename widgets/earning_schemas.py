"""The proxy API's schemas of the ways to earn beyond orders (:mod:`loyalty.club`): a way as the
member JSON lists it, and a follow's claim and credit; :mod:`widgets.schemas` holds the rest."""

from __future__ import annotations

from typing import Any

from loyalty.club.social import NETWORKS
from openapi import object_of

WAY_TO_EARN: dict[str, Any] = {
    "type": "object",
    "required": ["kind", "points", "done"],
    "description": "A way to earn beyond orders; more kinds and fields may be added.",
    "properties": {
        "kind": {
            "type": "string",
            "description": "`signup`, `birthday`, "
            + ", ".join(f"`follow_{n}`" for n in NETWORKS)
            + ", `newsletter`.",
        },
        "points": {
            "type": ["integer", "null"],
            "description": "What it pays; null for a birthday discount code.",
        },
        "done": {
            "type": "boolean",
            "description": "The signed-in customer has had it (a birthday: this year); false "
            "for guests.",
        },
        "url": {
            "type": "string",
            "format": "uri",
            "description": "A follow: the shop's profile, to open in a new tab; then claim it "
            "with `POST /proxy/api/me/follows`.",
        },
        "network": {"enum": list(NETWORKS)},
        "network_name": {"type": "string", "examples": ["Instagram"]},
        "reward": {"enum": ["points", "code"], "description": "A birthday: what it gives."},
        "discount_percent": {"type": ["integer", "null"], "description": "A birthday code."},
        "timing": {
            "enum": ["month", "day"],
            "description": "A birthday: paid in the birthday month, or on the day.",
        },
        "birthday_given": {"type": "boolean", "description": "The member gave a birthday."},
        "change_wait_days": {
            "type": "integer",
            "description": "A birthday: one given or changed fewer days than this before its "
            "reward is due pays from the next year.",
        },
        "code": {
            "type": ["string", "null"],
            "description": "This year's birthday code, once Shopify has it.",
        },
        "code_ends_at": {"type": ["string", "null"], "format": "date-time"},
    },
}

EARNING_SCHEMAS: dict[str, dict[str, Any]] = {
    "WayToEarn": WAY_TO_EARN,
    "FollowClaim": {
        "type": "object",
        "required": ["network"],
        "properties": {"network": {"enum": list(NETWORKS)}},
        "additionalProperties": False,
    },
    "FollowCredit": object_of(
        {
            "network": {"enum": list(NETWORKS)},
            "points": {
                "type": "integer",
                "description": "The points this call gave: 0 when the follow was credited before.",
            },
            "points_balance": {"type": "integer", "description": "The balance after it."},
        }
    ),
}
