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
RETENTION_DESCRIPTIONS = {
    "inactive_member_months": "Months without activity before a member is anonymised.",
    "webhook_body_days": "Days raw webhook bodies are kept; the facts taken from them stay.",
    "export_days": "Days a privacy request's export is kept.",
    "audit_months": "Months audit log entries are kept.",
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
