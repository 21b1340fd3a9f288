"""The schemas of a member's vouchers, shared by the admin's and the proxy's documents.

``vouchers`` and ``voucher_progress`` are in every member JSON (DESIGN.md, "The club and
campaigns"): gift cards and store credit bought with points (:mod:`loyalty.rewards.
reward_vouchers`) and spend-threshold vouchers (:mod:`loyalty.club.voucher_view`) in one list
(:mod:`loyalty.members.voucher_lists`).
"""

from __future__ import annotations

from typing import Any

_MONEY = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "examples": ["250"]}

VOUCHER: dict[str, Any] = {
    "type": "object",
    "required": ["id", "kind", "amount", "currency", "state"],
    "properties": {
        "id": {"type": "string"},
        "source": {
            "enum": ["spend", "reward"],
            "description": "Where the voucher came from: `spend` (a spend-threshold rule) or "
            "`reward` (bought with points); ids are unique within a source.",
        },
        "kind": {"enum": ["gift_card", "discount_code", "store_credit"]},
        "code": {
            "type": ["string", "null"],
            "description": "A discount code; a gift card's full code only once, in the "
            "member's own view right after it was issued.",
        },
        "last_characters": {
            "type": ["string", "null"],
            "description": "A gift card's last four characters, once its full code was shown.",
        },
        "amount": {**_MONEY, "type": ["string", "null"]},
        "currency": {"type": "string", "examples": ["NOK"]},
        "state": {
            "enum": ["pending", "active", "disabled", "used", "issued", "expired"],
            "description": "Spend vouchers: `pending` (being made in Shopify), `active`, "
            "`disabled` (refunds brought the period's spend below the threshold; it comes back "
            "if spend reaches it again), `used` (spent, kept whatever refunds follow). Bought "
            "with points: `issued`, `used`, `expired`.",
        },
        "period": {"type": "string", "examples": ["2026", "2026-12", "d2026-12-07"]},
        "reason": {
            "enum": ["spend_below_threshold"],
            "description": "Why a voucher is disabled.",
        },
    },
}

VOUCHER_PROGRESS: dict[str, Any] = {
    "type": "object",
    "required": ["rule_id", "name", "period", "threshold", "spend", "remaining", "voucher"],
    "properties": {
        "rule_id": {"type": "string"},
        "name": {"type": "string"},
        "period": {"enum": ["calendar_month", "calendar_year", "rolling_days"]},
        "period_days": {"type": ["integer", "null"]},
        "threshold": _MONEY,
        "spend": {**_MONEY, "description": "Paid merchandise net of refunds, this period."},
        "remaining": {**_MONEY, "description": "What is still missing (0: reached)."},
        "voucher": {
            "type": "object",
            "required": ["kind", "amount"],
            "properties": {"kind": {"enum": ["gift_card", "discount_code"]}, "amount": _MONEY},
        },
        "ends_at": {"type": ["string", "null"], "format": "date-time"},
    },
}

VOUCHER_STANDING: dict[str, Any] = {
    "vouchers": {
        "type": "array",
        "items": VOUCHER,
        "description": "The member's vouchers, newest first.",
    },
    "voucher_progress": {
        "type": "array",
        "items": VOUCHER_PROGRESS,
        "description": "Per spend-threshold rule: this period's spend and what is missing.",
    },
}
"""``vouchers`` and ``voucher_progress``: add to a member's properties (both always present)."""
