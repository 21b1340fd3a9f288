"""``/api/setup-guide``: what the admin home's setup guide knows on the server, and putting it
away (:mod:`loyalty.onboarding.setup_guide`)."""

from __future__ import annotations

from flask import Response, jsonify

from admin.api import api
from admin.auth import current_shop, session_token_required
from errors import json_error, json_object_body
from loyalty.onboarding.setup_guide import guide_state, set_dismissed
from runtime import current_runtime

api.schemas.update(
    {
        "SetupGuide": {
            "type": "object",
            "required": ["dismissed", "reward_created", "program_reviewed"],
            "properties": {
                "dismissed": {"type": "boolean", "description": "The merchant put it away."},
                "reward_created": {"type": "boolean"},
                "program_reviewed": {
                    "type": "boolean",
                    "description": "The program settings were saved at least once.",
                },
            },
        },
        "SetupGuideUpdate": {
            "type": "object",
            "required": ["dismissed"],
            "properties": {"dismissed": {"type": "boolean"}},
            "additionalProperties": False,
        },
    }
)


@api.route(
    "/setup-guide",
    "GET",
    summary="The setup guide's steps a server can check",
    response="SetupGuide",
    description="The theme steps (launcher embed, loyalty-page block) are read in the browser "
    "from App Bridge's `shopify.app.extensions()`.",
)
@session_token_required
def read_setup_guide() -> Response:
    """The authenticated shop's setup guide state."""
    return jsonify(guide_state(current_runtime().sessions, current_shop().id))


@api.route(
    "/setup-guide",
    "PUT",
    summary="Put the setup guide away, or bring it back",
    request="SetupGuideUpdate",
    response="SetupGuide",
    errors=(422,),
)
@session_token_required
def write_setup_guide() -> Response:
    """Set ``dismissed``; the guide's state after."""
    body = json_object_body()
    if isinstance(body, Response):
        return body
    dismissed = body.get("dismissed")
    fields = {name[:100]: "Unknown field." for name in body if name != "dismissed"}
    if not isinstance(dismissed, bool):
        fields["dismissed"] = "true or false."
    if fields:
        return json_error(422, "validation_failed", "Some fields are not valid.", fields)
    rt = current_runtime()
    set_dismissed(rt.sessions, current_shop().id, bool(dismissed))
    return jsonify(guide_state(rt.sessions, current_shop().id))
