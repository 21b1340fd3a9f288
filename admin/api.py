"""The embedded admin's JSON API under ``/api``: thin views over ``loyalty`` services.

Each view is declared through the registry (see :mod:`openapi`), authenticated by a
session token (:mod:`admin.auth`), and scoped to ``g.shop.id``. Answers are personal to one
shop's staff, so none is cached.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify

from admin.auth import RETRY_HEADER, current_shop, session_token_required
from errors import json_object_body
from loyalty.club.social import NETWORKS
from loyalty.points import settings as program_settings
from loyalty.privacy import retention_policy
from openapi import (
    FRACTION_ABOVE_ZERO,
    LOCALE,
    ApiDocument,
    ApiRegistry,
    ErrorAnswer,
    Header,
    Security,
    register_document_route,
)
from runtime import current_runtime

bp = Blueprint("api", __name__, url_prefix="/api")
api = ApiRegistry(
    bp,
    prefix="/api",
    document=ApiDocument(
        title="Klubb admin API",
        version="1",
        description=(
            "The embedded admin's JSON API. Calls are authenticated with an App Bridge "
            "session token (`Authorization: Bearer <jwt>`), which App Bridge adds to every "
            "`fetch` made inside the Shopify admin. Answers are never cached "
            "(`Cache-Control: private, no-store`). No text, in a body or a query parameter, "
            "may hold a NUL character (422). The proxy API's document is "
            "`GET /api/openapi/proxy.json`."
        ),
        security=Security(
            name="sessionToken",
            scheme={
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "An App Bridge session token (HS256, one minute).",
            },
            errors=(
                ErrorAnswer(
                    401,
                    "Missing or invalid session token, or the shop has not installed the app. "
                    f"Carries `{RETRY_HEADER}: 1`: App Bridge retries with a fresh token.",
                    headers=(Header(RETRY_HEADER, "Always `1`.", required=True),),
                ),
                ErrorAnswer(503, ""),
            ),
        ),
        query=(LOCALE,),
    ),
)

_RATE = {
    "type": "string",
    # Above 0, at most 1000, at most 4 decimals (loyalty.points.settings._earn_rate).
    "pattern": rf"^(?:[1-9][0-9]{{0,2}}(?:\.[0-9]{{1,4}})?|{FRACTION_ABOVE_ZERO}|1000(?:\.0{{1,4}})?)$",
    "description": "Points per whole unit of the shop's currency; above 0, at most 1000, 4 decimals.",
    "examples": ["1", "2.5"],
}
_CLOCK = "^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"
RETENTION_DESCRIPTIONS = {
    "inactive_member_months": "Months without activity before a member is anonymised.",
    "webhook_body_days": "Days raw webhook bodies are kept; the facts taken from them stay.",
    "export_days": "Days a privacy request's export is kept.",
    "audit_months": "Months audit log entries are kept.",
}
_POINTS = {"type": "integer", "minimum": 0, "maximum": 100000}
# The hosts loyalty.club.social.NETWORKS accepts, as patterns.
_PROFILE_HOSTS = {
    "instagram": r"(?:www\.)?instagram\.com",
    "facebook": r"(?:www\.|m\.)?facebook\.com",
    "tiktok": r"(?:www\.)?tiktok\.com",
}
_EARNING_PROPERTIES: dict[str, Any] = {
    "birthday_reward": {
        "enum": ["off", "points", "code"],
        "description": "The birthday reward: none, points, or a one-use discount code.",
    },
    "birthday_points": {**_POINTS, "minimum": 1, "description": "Points of a points reward."},
    "birthday_discount_percent": {"type": "integer", "minimum": 1, "maximum": 100},
    "birthday_code_days": {
        "type": "integer",
        "minimum": 1,
        "maximum": 365,
        "description": "Days a birthday code can be used.",
    },
    "birthday_timing": {
        "enum": ["month", "day"],
        "description": "Paid in the birthday month (from its first day), or on the day.",
    },
    "birthday_change_wait_days": {
        "type": "integer",
        "minimum": 0,
        "maximum": 365,
        "description": "A birthday set or changed fewer days than this before its reward "
        "is due pays from the next year.",
    },
    **{
        name: schema
        for network in NETWORKS
        for name, schema in (
            (
                f"{network}_url",
                {
                    "type": ["string", "null"],
                    "maxLength": 255,
                    "pattern": r"^$|^https://"
                    + _PROFILE_HOSTS[network]
                    + r"/[A-Za-z0-9._~%@-][!-~]*$",
                    "description": f"The shop's profile on {NETWORKS[network].name}; null or "
                    "empty: none (no points for following).",
                    "examples": [NETWORKS[network].example],
                },
            ),
            (f"{network}_points", {**_POINTS, "description": "Points for following; 0: none."}),
        )
    },
    "newsletter_points": {
        **_POINTS,
        "description": "Points once for email marketing consent; 0: none.",
    },
}
_SETTINGS_PROPERTIES: dict[str, Any] = {
    "earn_rate": _RATE,
    "signup_bonus": {"type": "integer", "minimum": 0, "maximum": 100000},
    "welcome_discount_percent": {
        "type": "integer",
        "minimum": 0,
        "maximum": 100,
        "description": "0 turns the welcome discount off.",
    },
    "welcome_discount_days": {
        "type": "integer",
        "minimum": 0,
        "maximum": 365,
        "description": "Days a new member's welcome code can be used (its end date in "
        "Shopify); 0 = no end date.",
    },
    "expiry_months": {
        "type": "integer",
        "minimum": 0,
        "maximum": 120,
        "description": "Months without activity before points expire; 0 = never.",
    },
    "auto_enrol": {"type": "boolean", "description": "Every customer with an account joins."},
    "pending_days": {"type": "integer", "minimum": 0, "maximum": 365},
    # Retention periods (loyalty.privacy.retention_policy): how long each kind of personal data is kept.
    **{
        name: {
            "type": "integer",
            "minimum": low,
            "maximum": high,
            "description": RETENTION_DESCRIPTIONS[name],
        }
        for name, (low, high) in retention_policy.BOUNDS.items()
    },
    # Ways to earn beyond orders (loyalty.club).
    **_EARNING_PROPERTIES,
    "quiet_hours": {
        "type": ["object", "null"],
        "required": ["start", "end"],
        "properties": {
            "start": {"type": "string", "pattern": _CLOCK},
            "end": {"type": "string", "pattern": _CLOCK},
        },
        "additionalProperties": False,
        "description": "No marketing SMS from `start` to `end` (HH:MM, the shop's time zone; "
        "may cross midnight; `end` differs from `start`); null: none. Default 21:00 to 08:00.",
    },
    # VIP tiers (loyalty.club).
    "tier_grace_days": {
        "type": "integer",
        "minimum": 0,
        "maximum": 365,
        "description": "Days a member keeps a tier after no longer qualifying for it "
        "(a refund or cancellation moves them down at once).",
    },
    "tier_counts_adjustments": {
        "type": "boolean",
        "description": "Staff adjustments count as points earned towards a points tier.",
    },
    # Referrals (loyalty.club.referrals).
    "referral_enabled": {
        "type": "boolean",
        "description": "Members get a referral link; friends who sign up through it get a code.",
    },
    "referral_points": {
        **_POINTS,
        "minimum": 1,
        "description": "Points for the referrer once the friend's first order stands.",
    },
    "referral_discount_percent": {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "description": "The friend's one-use discount on a first order.",
    },
    "referral_code_days": {
        "type": "integer",
        "minimum": 1,
        "maximum": 365,
        "description": "Days the friend's code can be used.",
    },
    "referral_wait_days": {
        "type": "integer",
        "minimum": 0,
        "maximum": 365,
        "description": "Days the friend's first order must stand (not refunded or cancelled) "
        "before the referrer is paid. Default 14.",
    },
    "referral_monthly_cap": {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000,
        "description": "Referrals a member is paid for per calendar month (UTC, by the month "
        "of the friend's first order).",
    },
}
api.schemas.update(
    {
        "Settings": {
            "type": "object",
            "required": list(_SETTINGS_PROPERTIES),
            "properties": _SETTINGS_PROPERTIES,
            "additionalProperties": False,
        },
        "SettingsUpdate": {
            "type": "object",
            "description": "Any subset of the settings; fields left out keep their value.",
            "properties": {
                **_SETTINGS_PROPERTIES,
                "earn_rate": {
                    "oneOf": [_RATE, {"type": "integer", "minimum": 1, "maximum": 1000}],
                    "description": "A decimal string (exact), or a whole JSON number.",
                },
            },
            "additionalProperties": False,
        },
        "Shop": {
            "type": "object",
            "required": ["domain", "name", "currency", "locale", "installed_at"],
            "properties": {
                "domain": {"type": "string", "examples": ["example.myshopify.com"]},
                "name": {"type": ["string", "null"]},
                "currency": {"type": "string", "examples": ["NOK"]},
                "locale": {"type": "string", "examples": ["nb", "en"]},
                "installed_at": {"type": ["string", "null"], "format": "date-time"},
            },
        },
    }
)


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


@api.route("/settings", "GET", summary="The shop's program settings", response="Settings")
@session_token_required
def read_settings() -> Response:
    """The program settings of the authenticated shop."""
    return jsonify(program_settings.get_settings(current_runtime().sessions, current_shop().id))


@api.route(
    "/settings",
    "PUT",
    summary="Change the shop's program settings",
    request="SettingsUpdate",
    response="Settings",
    errors=(400, 415, 422),
    description="Every invalid or unknown field is reported in `error.fields`; then nothing changes.",
)
@session_token_required
def write_settings() -> Response:
    """Validate and save the settings in the body; the settings after the change."""
    body = json_object_body()
    if isinstance(body, Response):
        return body
    saved = program_settings.update_settings(
        current_runtime().sessions, current_shop().id, body, actor=g.staff_user_id
    )
    return jsonify(saved)


@api.route("/shop", "GET", summary="The authenticated shop", response="Shop")
@session_token_required
def read_shop() -> Response:
    """Domain, name, currency, locale and install time of the authenticated shop."""
    shop = current_shop()
    return jsonify(
        {
            "domain": shop.domain,
            "name": shop.name,
            "currency": shop.currency,
            "locale": shop.locale,
            "installed_at": shop.installed_at.isoformat() if shop.installed_at else None,
        }
    )


register_document_route(api, "/openapi.json")
