"""``/api/appearance``: the storefront widget's look (colours, side, launcher text per language).

Thin views over :mod:`loyalty.members.appearance`, which validates every field (422 with a message per
field, nothing stored) and computes the WCAG contrast warnings returned with every answer.
Declared on the admin API's registry, imported by :func:`admin.init_app` before the blueprint
is registered.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify

from admin.api import api
from admin.auth import current_shop, session_token_required
from errors import json_object_body
from loyalty.members.appearance import (
    COLOR_FIELDS,
    LANGUAGES,
    LAUNCHER_TEXT_MAX,
    POSITIONS,
    get_appearance,
    update_appearance,
)
from openapi import PLAIN_TEXT
from runtime import current_runtime

_COLOR = {
    "type": "string",
    "pattern": r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$",
    "examples": ["#1f5f3f"],
}
_TEXT = {
    "type": "string",
    "maxLength": LAUNCHER_TEXT_MAX,
    "description": "Runs of spaces count as one; any script is accepted, but no control, "
    "invisible or unassigned characters (the pattern names a safe subset).",
}


def _fields(text: dict[str, Any]) -> dict[str, Any]:
    return {
        **{name: _COLOR for name in COLOR_FIELDS},
        "position": {"enum": list(POSITIONS), "description": "The launcher's side of the screen."},
        "launcher_text": {
            "type": "object",
            "description": "The launcher's text by language; a language left out (or an empty "
            "text) shows Klubb's own.",
            "properties": {lang: text for lang in LANGUAGES},
            "additionalProperties": False,
        },
    }


_FIELDS = _fields({**_TEXT, "description": "As saved (spaces collapsed)."})
_WARNING = {
    "type": "object",
    "required": ["fields", "ratio", "minimum", "message"],
    "properties": {
        "fields": {"type": "array", "items": {"type": "string"}},
        "ratio": {"type": "number"},
        "minimum": {"type": "number"},
        "message": {"type": "string"},
    },
}
api.schemas.update(
    {
        "Appearance": {
            "type": "object",
            "required": [*_FIELDS, "warnings"],
            "properties": {
                **_FIELDS,
                "warnings": {
                    "type": "array",
                    "description": "Colour pairs below WCAG AA contrast (saved anyway).",
                    "items": _WARNING,
                },
            },
        },
        "AppearanceUpdate": {
            "type": "object",
            "description": "Any subset of the fields; fields left out keep their value.",
            "properties": _fields({**_TEXT, "pattern": PLAIN_TEXT}),
            "additionalProperties": False,
        },
    }
)


@api.route(
    "/appearance", "GET", summary="The storefront widget's appearance", response="Appearance"
)
@session_token_required
def read_appearance() -> Response:
    """The authenticated shop's widget appearance (the defaults if never saved), with warnings."""
    return jsonify(get_appearance(current_runtime().sessions, current_shop().id))


@api.route(
    "/appearance",
    "PUT",
    summary="Change the storefront widget's appearance",
    request="AppearanceUpdate",
    response="Appearance",
    errors=(422,),
    description="Every invalid or unknown field is reported in `error.fields`; then nothing "
    "changes. Poor contrast is not an error: it comes back in `warnings`.",
)
@session_token_required
def write_appearance() -> Response:
    """Validate and save the appearance in the body; the appearance after, with warnings."""
    body = json_object_body()
    if isinstance(body, Response):
        return body
    saved = update_appearance(
        current_runtime().sessions, current_shop().id, body, actor=g.staff_user_id
    )
    return jsonify(saved)
