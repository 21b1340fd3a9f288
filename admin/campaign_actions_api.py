"""``/api/campaigns``' actions besides writing one: preview, test message, pause, resume.

Thin views over :mod:`loyalty.campaigns.campaign_control`; declared on the admin API's registry,
imported by :func:`admin.init_app` before the blueprint is registered.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from markupsafe import escape

from admin.api import api
from admin.auth import current_shop, session_token_required
from admin.messaging_api import TEST_NOTES, sent_answer
from errors import json_error, json_object_body
from jobs.campaigns import enqueue_campaign
from loyalty.campaigns import campaign_control, sending
from loyalty.campaigns.campaigns import CampaignConflict
from loyalty.campaigns.credentials import NotConfigured
from loyalty.campaigns.phones import PhoneRefused, to_e164
from loyalty.campaigns.providers import Email
from loyalty.campaigns.settings_rules import email_address
from loyalty.core.errors import ValidationError
from loyalty.core.ids import id_from_text
from loyalty.core.models import MessageChannel
from openapi import Answer, id_schema
from runtime import current_runtime

_NOT_FOUND = "This shop has no such campaign."
_CAMPAIGN_ID = {"campaign_id": id_schema("The campaign's id.")}
_LANGUAGE_TEXT = {
    "type": "object",
    "required": ["text"],
    "properties": {
        "text": {"type": "string"},
        "subject": {"type": "string"},
        "characters": {"type": "integer"},
        "encoding": {"enum": ["gsm7", "ucs2"]},
        "segments": {"type": "integer"},
        "recipients": {"type": "integer", "minimum": 0},
        "example": {"type": "boolean"},
    },
}
api.schemas.update(
    {
        "CampaignPreviewInput": {
            "type": "object",
            "required": ["channel", "segment_id", "message"],
            "properties": {
                "name": {"type": "string"},
                "channel": {"enum": [c.value for c in MessageChannel]},
                "segment_id": id_schema("The segment the campaign goes to."),
                "message": {"type": "object"},
                "subject": {"type": "object"},
                "offer": {"type": "object"},
                "attribution_hours": {"type": "integer"},
                "price_per_segment": {
                    "type": "string",
                    "description": "The price of one SMS segment in the shop's currency, for "
                    f"the estimate; {campaign_control.SEGMENT_PRICE} unless given.",
                },
            },
            "additionalProperties": False,
        },
        "CampaignPreview": {
            "type": "object",
            "required": ["languages"],
            "properties": {
                "languages": {
                    "type": "object",
                    "required": ["nb", "en"],
                    "properties": {"nb": _LANGUAGE_TEXT, "en": _LANGUAGE_TEXT},
                },
                "cost": {
                    "type": "object",
                    "required": ["segments", "price_per_segment", "amount", "currency"],
                    "properties": {
                        "segments": {"type": "integer", "minimum": 0},
                        "price_per_segment": {"type": "object"},
                        "amount": {"type": "string"},
                        "currency": {"type": "string"},
                    },
                    "description": "SMS only: every recipient's segments times the price.",
                },
            },
        },
        "CampaignTest": {
            "type": "object",
            "required": ["to", "language"],
            "properties": {
                "to": {"type": "string", "description": "A phone number (SMS) or an address."},
                "language": {"enum": ["nb", "en"]},
            },
            "additionalProperties": False,
        },
    }
)


def _campaign_id(raw: str) -> int | Response:
    parsed = id_from_text(raw)
    return json_error(404, "not_found", _NOT_FOUND) if parsed is None else parsed


@api.route(
    "/campaigns/preview",
    "POST",
    summary="Preview a campaign per language, with its SMS length and cost",
    request="CampaignPreviewInput",
    response="CampaignPreview",
    errors=(422,),
    description="The campaign as to `POST /api/campaigns` (`name` optional), rendered for a "
    "member of the audience in each language (an example member when there is none), with "
    "the SMS's encoding and segments and an estimate of its cost. Nothing is stored.",
)
@session_token_required
def preview_campaign() -> Response:
    """Render the campaign in the body per language."""
    body = json_object_body()
    if isinstance(body, Response):
        return body
    rt = current_runtime()
    return jsonify(
        campaign_control.preview(rt.sessions, current_shop().id, body, app_url=rt.config.app_url)
    )


@api.route(
    "/campaigns/<campaign_id>/test",
    "POST",
    summary="Send the campaign's message to the merchant as a test",
    request="CampaignTest",
    response="SentMessage",
    errors=(404, 409, 422, 503),
    error_notes=TEST_NOTES,
    path=_CAMPAIGN_ID,
    answers=(Answer(201, "The provider took the test message."),),
)
@session_token_required
def send_campaign_test(campaign_id: str) -> tuple[Response, int] | Response:
    """The message in ``language``, for an example member, to ``to``."""
    parsed = _campaign_id(campaign_id)
    if isinstance(parsed, Response):
        return parsed
    body = json_object_body()
    if isinstance(body, Response):
        return body
    unknown = {str(k)[:100]: "Unknown field." for k in body if k not in ("to", "language")}
    missing = {k: "Required." for k in ("to", "language") if k not in body}
    if unknown or missing:
        raise ValidationError({**unknown, **missing})
    rt, shop = current_runtime(), current_shop()
    channel, rendered = campaign_control.test_message(
        rt.sessions, shop.id, parsed, str(body["language"]), rt.config.app_url
    )
    try:
        if channel == MessageChannel.SMS:
            try:
                to = to_e164(body["to"] if isinstance(body["to"], str) else None)
            except PhoneRefused as err:
                raise ValidationError({"to": str(err)}) from None
            outcome = sending.send_sms(
                rt.sessions, rt.token_cipher, rt.config, shop.id, to=to, text=rendered["text"]
            )
        else:
            try:
                address = email_address(body["to"])
            except ValueError as err:
                raise ValidationError({"to": str(err)}) from None
            message = Email(
                to=address,
                subject=rendered.get("subject", ""),
                text=rendered["text"],
                html=f"<!DOCTYPE html><html><body><p>{escape(rendered['text'])}</p></body></html>",
            )
            outcome = sending.send_email(rt.sessions, rt.token_cipher, rt.config, shop.id, message)
    except NotConfigured:
        return json_error(409, "not_configured", "No provider is set up for this channel.")
    return sent_answer(outcome)


def _control(campaign_id: str, action: Any) -> Response:
    parsed = _campaign_id(campaign_id)
    if isinstance(parsed, Response):
        return parsed
    rt = current_runtime()
    try:
        changed: dict[str, Any] = action(rt.sessions, current_shop().id, parsed)
    except CampaignConflict as err:
        return json_error(409, err.code, str(err))
    if changed["state"] == "sending":
        enqueue_campaign(rt, parsed)  # else (or if Redis is down) the minute's sweep does it
    return jsonify(changed)


@api.route(
    "/campaigns/<campaign_id>/pause",
    "POST",
    summary="Pause a scheduled or sending campaign",
    response="Campaign",
    errors=(404, 409),
    error_notes={409: "The campaign is not scheduled or sending (`not_pausable`)."},
    description="The sending stops before its next message; nothing is lost or sent twice.",
    path=_CAMPAIGN_ID,
)
@session_token_required
def pause_campaign(campaign_id: str) -> Response:
    """Pause the campaign."""
    return _control(campaign_id, campaign_control.pause_campaign)


@api.route(
    "/campaigns/<campaign_id>/resume",
    "POST",
    summary="Resume a paused campaign",
    response="Campaign",
    errors=(404, 409),
    error_notes={409: "The campaign is not paused (`not_paused`)."},
    description="It goes on where it stopped (scheduled again if it had not started).",
    path=_CAMPAIGN_ID,
)
@session_token_required
def resume_campaign(campaign_id: str) -> Response:
    """Resume the campaign."""
    return _control(campaign_id, campaign_control.resume_campaign)
