"""The OpenAPI schemas of the proxy API (``GET /api/openapi/proxy.json``): bodies and answers.

Kept apart from the views so each module stays small; :mod:`widgets.api` registers
:data:`SCHEMAS` on the proxy's document. Requests are described as strictly as the views check
them; answers list what they hold today (fields may be added, none renamed: DESIGN.md).
"""

from __future__ import annotations

from typing import Any

from loyalty.core.models import MemberStatus, RedemptionState, RewardKind
from loyalty.members.appearance import COLOR_FIELDS, POSITIONS
from loyalty.points.reasons import ReasonCode
from loyalty.privacy.self_service_rules import (
    CONSENT_CHANNELS,
    EDITABLE_FIELDS,
    LANGUAGES,
    LEAVE_CONFIRMATION,
    PREFERRED_NAME_MAX,
    SHOPIFY_OWNED_FIELDS,
)
from openapi import ID_PATTERN, PLAIN_TEXT, WELCOME_CODE
from openapi import object_of as _object
from openapi.referrals import REFERRAL, REFERRAL_OFFER, REFERRAL_ROW
from openapi.stamps import MEMBER_STAMP_CARDS
from openapi.tiers import PUBLIC_TIER, TIER_STANDING
from openapi.vouchers import VOUCHER_STANDING
from widgets.earning_schemas import EARNING_SCHEMAS

_TIME = {"type": "string", "format": "date-time"}
_OPTIONAL_TIME = {"type": ["string", "null"], "format": "date-time"}
_DECIMAL = {"type": ["string", "null"], "description": "A decimal string."}
_STRINGS = {"type": "array", "items": {"type": "string"}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_REWARD = _object(
    {
        "id": {"type": "string"},
        "kind": {"enum": [k.value for k in RewardKind]},
        "title": {"type": "string"},
        "points_cost": {"type": "integer"},
        "value": {
            **_DECIMAL,
            "description": "The amount off (fixed_amount), the fraction off (percentage: "
            '"0.1" is 10 %), the amount of a gift card or store credit, the price of a free '
            "product, null for free_shipping.",
        },
        "currency": {"type": "string"},
        "minimum_order": _DECIMAL,
        "product_title": {
            "type": ["string", "null"],
            "description": "free_product: the product (and variant) given away.",
        },
        "paused": {
            "enum": ["product_deleted", "price_changed", None],
            "description": "free_product: why it cannot be redeemed now (null: it can).",
        },
    }
)
_APPEARANCE = {
    "type": ["object", "null"],
    "description": "What the merchant saved on the admin's Widget appearance page; null: the "
    "theme editor's settings apply.",
    "properties": {
        **{name: {"type": "string", "examples": ["#1f5f3f"]} for name in COLOR_FIELDS},
        "position": {"enum": list(POSITIONS)},
        "launcher_text": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
_PROGRAM = _object(
    {
        "currency": {"type": "string", "examples": ["NOK"]},
        "earn_rate": {"type": "string", "description": "Points per whole unit of currency."},
        "signup_bonus": {"type": "integer"},
        "welcome_discount_percent": {"type": "integer"},
        "auto_enrol": {"type": "boolean"},
        "expiry_months": {"type": "integer", "description": "0: points never expire."},
        "appearance": _APPEARANCE,
        "referral_offer": REFERRAL_OFFER,
    }
)
_ENTRY = _object(
    {
        "created_at": _TIME,
        "kind": {"type": "string", "examples": ["earn", "redeem", "adjust"]},
        "points": {"type": "integer"},
        "reason": {"type": ["string", "null"], "description": "As stored (see `reason_code`)."},
        "reason_code": {
            "type": "string",
            "description": "Why the points moved; more codes may be added. Today: "
            + ", ".join(f"`{code}`" for code in ReasonCode)
            + ".",
        },
        "reason_params": {"type": ["object", "null"]},
        "order_id": {"type": ["string", "null"]},
        "order_name": {"type": ["string", "null"], "examples": ["#1001"]},
        "reason_label": {
            "type": "string",
            "description": "The reason in words, in the request's language (`locale`).",
        },
    }
)
_CONSENTS = _object({channel: {"type": "boolean"} for channel in CONSENT_CHANNELS})
_PROFILE = _object(
    {
        **{name: {"type": ["string", "null"]} for name in SHOPIFY_OWNED_FIELDS},
        "birthday": {"type": ["string", "null"], "format": "date"},
        "preferred_name": {"type": ["string", "null"]},
        "language": {"enum": [*LANGUAGES, None]},
    }
)
_EMPTY = {
    "type": "object",
    "maxProperties": 0,
    "description": "`{}`: this call takes no fields.",
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Reward": _REWARD,
    "Program": _PROGRAM,
    "WelcomeCode": WELCOME_CODE,
    "MemberSummary": _object(
        {
            "signed_in": {"type": "boolean"},
            "member": {"type": "boolean"},
            "points_balance": {
                "type": ["integer", "null"],
                "description": "Null for guests and non-members.",
            },
            "signup_bonus_received": {
                "type": "boolean",
                "description": "The shopper has had the signup bonus (joining again gives none).",
            },
            "program": _ref("Program"),
            "rewards": {
                "type": "array",
                "items": _ref("Reward"),
                "description": "Rewards that can be redeemed today, cheapest first.",
            },
            "welcome_code": _ref("WelcomeCode"),
            "ways_to_earn": {
                "type": "array",
                "items": _ref("WayToEarn"),
                "description": "Ways to earn beyond orders that the shop offers, in the order "
                "to show them.",
            },
            "tiers": {
                "type": "array",
                "items": PUBLIC_TIER,
                "description": "VIP tiers, lowest first.",
            },
            **TIER_STANDING,
            **VOUCHER_STANDING,
            **MEMBER_STAMP_CARDS,
            "referral": REFERRAL,
            "referrals": {
                "type": "array",
                "items": _ref("Referral"),
                "description": "The member's newest referrals (20); empty for others.",
            },
        }
    ),
    "Referral": REFERRAL_ROW,
    "ReferralSignup": {
        "type": "object",
        "required": ["code", "email", "consent"],
        "properties": {
            "code": {
                "type": "string",
                "pattern": r"^\s*[A-Za-z2-9]{8}\s*$",
                "description": "The referral code (`?ref=`) the friend arrived with.",
            },
            "email": {"type": "string", "maxLength": 320, "format": "email"},
            "consent": {
                "const": True,
                "description": "The friend accepts the terms the widget showed.",
            },
        },
        "additionalProperties": False,
    },
    "FriendCode": _object(
        {
            "code": {"type": "string", "description": "The friend's one-use discount code."},
            "percentage": {"type": "integer"},
            "ends_at": _OPTIONAL_TIME,
        }
    ),
    **EARNING_SCHEMAS,
    "Empty": _EMPTY,
    "RedemptionRequest": {
        "type": "object",
        "required": ["reward_id"],
        "properties": {
            "reward_id": {
                "type": "string",
                "pattern": ID_PATTERN,
                "description": "The reward to redeem (its `id`).",
            }
        },
        "additionalProperties": False,
    },
    "Redemption": _object(
        {
            "id": {"type": "string"},
            "state": {"enum": [s.value for s in RedemptionState]},
            "reward_id": {"type": ["string", "null"]},
            "reward_title": {"type": "string"},
            "kind": {"enum": [k.value for k in RewardKind]},
            "value": _DECIMAL,
            "currency": {"type": "string"},
            "points": {"type": "integer", "description": "The points it cost."},
            "points_balance": {"type": "integer", "description": "The balance after it."},
            "code": {
                "type": ["string", "null"],
                "description": "The discount code, once Shopify has it (issued, used, expired). "
                "A gift card's full code appears once, in the first answer after it is issued; "
                "then only `last_characters`.",
            },
            "last_characters": {
                "type": ["string", "null"],
                "description": "gift_card: the last characters of its code.",
            },
            "amount": {
                **_DECIMAL,
                "description": "What was issued: a gift card's or store credit's amount, a free "
                "product's price.",
            },
            "apply_url": {
                "type": ["string", "null"],
                "description": "The shop's link that applies the code (while it is issued).",
            },
            "ends_at": _OPTIONAL_TIME,
            "created_at": _TIME,
            "issued_at": _OPTIONAL_TIME,
            "used_at": _OPTIONAL_TIME,
        }
    ),
    "MyData": _object(
        {
            "customer_id": {"type": "string"},
            "status": {"enum": [MemberStatus.ACTIVE.value, MemberStatus.RESTRICTED.value]},
            "profile": _PROFILE,
            "editable_fields": {**_STRINGS, "description": "Fields `PATCH` may change."},
            "shopify_owned_fields": {
                **_STRINGS,
                "description": "Fields edited in the Shopify customer account, not here.",
            },
            "consents": _CONSENTS,
            "consent_history": {
                "type": "array",
                "items": _object(
                    {
                        "channel": {"enum": list(CONSENT_CHANNELS)},
                        "granted": {"type": "boolean"},
                        "source": {"type": "string"},
                        "created_at": _TIME,
                    }
                ),
            },
            "points_balance": {"type": "integer"},
            "lifetime_points": {"type": "integer"},
            "joined_at": _TIME,
            "last_activity_at": _OPTIONAL_TIME,
            "recent_ledger": {"type": "array", "items": _ENTRY, "description": "Newest first."},
            "downloads": _object({"json": {"type": "string"}, "csv": {"type": "string"}}),
            "welcome_code": _ref("WelcomeCode"),
            **TIER_STANDING,
        }
    ),
    "MyDataExport": {
        "type": "object",
        "description": "Everything Klubb holds about the member (the same document as a "
        "`customers/data_request` export).",
    },
    "ProfileUpdate": {
        "type": "object",
        "minProperties": 1,
        "description": "The fields to correct; null clears one. "
        + ", ".join(f"`{name}`" for name in SHOPIFY_OWNED_FIELDS)
        + " are edited in the Shopify customer account (422 here).",
        "properties": {
            "birthday": {
                "type": ["string", "null"],
                "format": "date",
                "description": "YYYY-MM-DD, from 1900-01-01 to today.",
            },
            "preferred_name": {
                "type": ["string", "null"],
                "maxLength": PREFERRED_NAME_MAX,
                "pattern": PLAIN_TEXT,
                "description": "Spaces around it are dropped; any script is accepted, but no "
                "control, bidirectional, private-use or unassigned characters (the pattern "
                "names a safe subset).",
            },
            "language": {"enum": [*LANGUAGES, None]},
        },
        "additionalProperties": False,
    },
    "ProfileChange": _object(
        {"updated": {"type": "array", "items": {"enum": list(EDITABLE_FIELDS)}}}
    ),
    "ConsentsUpdate": {
        "type": "object",
        "minProperties": 1,
        "description": "Either channel or both. SMS needs a phone number on the customer.",
        "properties": {channel: {"type": "boolean"} for channel in CONSENT_CHANNELS},
        "additionalProperties": False,
    },
    "ConsentsChange": _object(
        {
            "consents": _CONSENTS,
            "changed": {"type": "array", "items": {"enum": list(CONSENT_CHANNELS)}},
        }
    ),
    "RestrictionStatus": _object(
        {"status": {"enum": [MemberStatus.RESTRICTED.value, MemberStatus.ACTIVE.value]}}
    ),
    "LeaveRequest": {
        "type": "object",
        "required": ["confirm"],
        "properties": {"confirm": {"const": LEAVE_CONFIRMATION}},
        "additionalProperties": False,
    },
    "Departure": _object({"status": {"const": "left"}, "points_forfeited": {"type": "integer"}}),
}
