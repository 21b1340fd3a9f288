"""``/api/messaging``: the shop's SMS provider and mail server, and a message to try them.

Thin views over :mod:`loyalty.campaigns.credentials` (rules, encrypted storage, an overview
without secrets) and :mod:`loyalty.campaigns.sending` (one message through the provider,
logged). A test message goes to the provider while the merchant waits (at most the
provider timeout), so they see at once whether the settings work; its delivery report
arrives later at ``/hooks/…`` and shows at ``GET /api/messaging/messages/{id}``.

Provider refusals: the shop's setup (no provider, credentials or sender refused) is 409,
this recipient's (a number refused, opted out) 422 naming ``to``, a provider that did not
answer 503 with ``Retry-After``. No answer or log line holds a secret.
"""

from __future__ import annotations

import logging

from flask import Response, g, jsonify
from flask_babel import gettext as _
from markupsafe import escape

from admin.api import api
from admin.auth import current_shop, session_token_required
from admin.messaging_schemas import SCHEMAS
from errors import json_error, json_object_body
from loyalty.campaigns import credentials, sending
from loyalty.campaigns.credentials import NotConfigured
from loyalty.campaigns.phones import PhoneRefused, to_e164
from loyalty.campaigns.providers import (
    Email,
    MessageRefused,
    ProviderUnavailable,
    RecipientOptedOut,
    SetupRefused,
)
from loyalty.campaigns.send_log import message_status
from loyalty.campaigns.settings_rules import email_address
from loyalty.core.errors import ValidationError
from loyalty.core.ids import id_from_text
from loyalty.core.models import MessageChannel
from openapi import Answer, id_schema
from runtime import current_runtime

log = logging.getLogger(__name__)

api.schemas.update(SCHEMAS)
_SETUP_409 = (
    "The shop has no provider for this channel (`not_configured`), or the provider refused "
    "its credentials (`credentials_refused`) or its sender or TLS (`setup_refused`): the "
    "settings need changing."
)
_TEST_422 = (
    "`to` is not a number (an address) we can send to, or the provider refused this "
    "recipient (`message_refused`) or the recipient opted out of this sender "
    "(`recipient_opted_out`)."
)
_TEST_503 = "The provider did not answer, or asked us to wait; nothing says the settings are wrong."
TEST_NOTES = {409: _SETUP_409, 422: _TEST_422, 503: _TEST_503}
RETRY_AFTER = 30


@api.route(
    "/messaging", "GET", summary="The shop's SMS provider and mail server", response="Messaging"
)
@session_token_required
def read_messaging() -> Response:
    """What the shop has set up per channel (null when nothing), never a secret."""
    rt = current_runtime()
    return jsonify(
        credentials.messaging_overview(
            rt.sessions, rt.token_cipher, current_shop().id, rt.config.app_url
        )
    )


_SAVE_DESCRIPTION = (
    "Every invalid or unknown field is reported in `error.fields`; then nothing changes. The "
    "secret is stored encrypted and never returned."
)


@api.route(
    "/messaging/sms",
    "PUT",
    summary="Set the shop's SMS provider (Twilio or Sveve)",
    request="SmsSettingsInput",
    response="SmsSettings",
    errors=(422,),
    description=_SAVE_DESCRIPTION,
)
@session_token_required
def write_sms_settings() -> Response:
    """Check and store the SMS provider; its settings as shown."""
    return _save(MessageChannel.SMS)


@api.route(
    "/messaging/email",
    "PUT",
    summary="Set the shop's mail server (SMTP)",
    request="EmailSettingsInput",
    response="EmailSettings",
    errors=(422,),
    description=_SAVE_DESCRIPTION,
)
@session_token_required
def write_email_settings() -> Response:
    """Check and store the SMTP server; its settings as shown."""
    return _save(MessageChannel.EMAIL)


def _save(channel: MessageChannel) -> Response:
    body = json_object_body()
    if isinstance(body, Response):
        return body
    rt = current_runtime()
    saved = credentials.save_settings(
        rt.sessions,
        rt.token_cipher,
        current_shop().id,
        channel,
        body,
        actor=g.staff_user_id,
        app_url=rt.config.app_url,
    )
    return jsonify(saved)


@api.route(
    "/messaging/sms/test",
    "POST",
    summary="Send a test SMS through the shop's provider",
    request="TestSms",
    response="SentMessage",
    errors=(409, 422, 503),
    error_notes=TEST_NOTES,
    answers=(Answer(201, "The provider took the message; its delivery report comes later."),),
)
@session_token_required
def send_test_sms() -> tuple[Response, int] | Response:
    """Send a short text in the admin's language to ``to``."""
    body = json_object_body()
    if isinstance(body, Response):
        return body
    _only_to(body)
    try:
        to = to_e164(body["to"] if isinstance(body["to"], str) else None)
    except PhoneRefused as err:
        raise ValidationError({"to": str(err)}) from None
    rt, shop = current_runtime(), current_shop()
    text = _(
        "Test message from %(shop)s, sent by Klubb: the SMS settings work.",
        shop=shop.name or shop.domain,
    )
    try:
        outcome = sending.send_sms(
            rt.sessions, rt.token_cipher, rt.config, shop.id, to=to, text=text
        )
    except NotConfigured:
        return json_error(409, "not_configured", "No SMS provider is set up yet.")
    return sent_answer(outcome)  # no member: an opt-out withdraws nobody's consent here


@api.route(
    "/messaging/email/test",
    "POST",
    summary="Send a test email through the shop's mail server",
    request="TestEmail",
    response="SentMessage",
    errors=(409, 422, 503),
    error_notes=TEST_NOTES,
    answers=(Answer(201, "The mail server took the message."),),
)
@session_token_required
def send_test_email() -> tuple[Response, int] | Response:
    """Send a short email in the admin's language to ``to``."""
    body = json_object_body()
    if isinstance(body, Response):
        return body
    _only_to(body)
    try:
        to = email_address(body["to"])
    except ValueError as err:
        raise ValidationError({"to": str(err)}) from None
    rt, shop = current_runtime(), current_shop()
    name = shop.name or shop.domain
    text = _("This test email from %(shop)s was sent by Klubb: the email settings work.", shop=name)
    message = Email(
        to=to,
        subject=_("Test email from %(shop)s", shop=name),
        text=text,
        html=f"<!DOCTYPE html><html><body><p>{escape(text)}</p></body></html>",
    )
    try:
        outcome = sending.send_email(rt.sessions, rt.token_cipher, rt.config, shop.id, message)
    except NotConfigured:
        return json_error(409, "not_configured", "No mail server is set up yet.")
    return sent_answer(outcome)


def _only_to(body: dict[str, object]) -> None:
    unknown = {str(k)[:100]: "Unknown field." for k in body if k != "to"}
    if unknown or "to" not in body:
        raise ValidationError({**unknown, **({} if "to" in body else {"to": "Required."})})


def sent_answer(outcome: sending.Outcome) -> tuple[Response, int] | Response:
    """201 with the logged message, or the refusal as 409, 422 or 503."""
    error = outcome.error
    if error is None:
        return jsonify(_message_json(outcome.message_id)), 201
    log.info(
        "test message %s refused: %s (%s)", outcome.message_id, error.code, error.provider_code
    )
    if isinstance(error, ProviderUnavailable):
        response = json_error(
            503, "provider_unavailable", "The provider did not answer; try again shortly."
        )
        response.headers["Retry-After"] = str(int(error.retry_after or RETRY_AFTER))
        return response
    if isinstance(error, SetupRefused):
        return json_error(
            409, error.code, _SETUP_MESSAGES.get(error.code, _SETUP_MESSAGES["setup_refused"])
        )
    if isinstance(error, RecipientOptedOut):
        return json_error(
            422,
            error.code,
            "The recipient has opted out.",
            {"to": "This number replied STOP to this sender."},
        )
    code = error.code if isinstance(error, MessageRefused) else MessageRefused.code
    return json_error(
        422,
        code,
        "The provider refused the message.",
        {"to": "The provider refused this recipient."},
    )


_SETUP_MESSAGES = {
    "credentials_refused": "The provider refused the credentials: check them in the settings.",
    "setup_refused": "The provider refused the settings (the sender, or TLS): check them.",
}


@api.route(
    "/messaging/messages/<message_id>",
    "GET",
    summary="One message the shop sent, and its delivery status",
    response="SentMessage",
    errors=(404,),
    path={"message_id": id_schema("The message's id (from the test endpoints).")},
)
@session_token_required
def read_message(message_id: str) -> Response:
    """The status of one of the shop's messages as the provider last reported it."""
    parsed = id_from_text(message_id)
    found = _message_json(parsed) if parsed is not None else None
    if found is None:
        return json_error(404, "not_found", "This shop has no such message.")
    return jsonify(found)


def _message_json(message_id: int) -> dict[str, object] | None:
    rt = current_runtime()
    row = message_status(rt.sessions, current_shop().id, message_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "channel": row.channel,
        "provider": row.provider,
        "status": row.status,
        "error_code": row.error_code,
        "sent_at": row.sent_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }
