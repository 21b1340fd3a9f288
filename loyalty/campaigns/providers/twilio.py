"""Twilio Programmable Messaging: one SMS per ``POST /2010-04-01/Accounts/{Sid}/Messages.json``,
and the signature Twilio puts on the callbacks it sends (INTEGRATIONS.md §4a).

The request is form-encoded with HTTP Basic auth (account SID, auth token): ``To`` (E.164),
``From`` (a Twilio number or an alphanumeric sender ID) or ``MessagingServiceSid`` (a sender
starting ``MG``), ``Body``, and ``StatusCallback`` where delivery reports should go. Twilio
answers 201 with the message resource (``sid``, ``status``); a refusal is a JSON body
``{"code", "message", "more_info", "status"}``: error 21610 means the recipient replied STOP
(:class:`RecipientOptedOut`); a refused ``From`` is the shop's setup, any other refusal this
message's. Transport failures and statuses are :mod:`.http`'s.

:func:`twilio_signature`: ``X-Twilio-Signature`` is the base64 HMAC-SHA1, keyed with the
account's auth token, of the full URL Twilio requested followed by every POST parameter's
name and value, sorted by name (and a repeated name's values sorted), with no separators.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from typing import Any

import requests

from loyalty.campaigns.providers.base import (
    MessageRefused,
    ProviderUnavailable,
    RecipientOptedOut,
    Sent,
    SetupRefused,
    SmsMessage,
)
from loyalty.campaigns.providers.http import post

NAME = "twilio"
ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
MESSAGING_SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")
OPTED_OUT = "21610"
""""Attempt to send to unsubscribed recipient": the number replied STOP to this sender."""
SENDER_REFUSED = frozenset({"21212", "21606"})
"""Twilio's codes for a ``From`` it will not send from (invalid; not this account's SMS number)."""
STATUSES = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}
"""Twilio's message statuses as Klubb's (loyalty.core.models.MessageStatus)."""


class TwilioSms:
    """Sends SMS through one Twilio account."""

    name = NAME

    def __init__(
        self,
        *,
        api_base: str,
        account_sid: str,
        auth_token: str,
        sender: str,
        timeout: float,
        session: requests.Session | None = None,
    ) -> None:
        self._url = f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._auth = (account_sid, auth_token)
        self._sender = sender
        self._timeout = timeout
        self._session = session or requests.Session()

    def send_sms(self, message: SmsMessage) -> Sent:
        """Create the message at Twilio; its SID and status (``queued``)."""
        sender_field = (
            "MessagingServiceSid" if MESSAGING_SERVICE_SID.fullmatch(self._sender) else "From"
        )
        form = {"To": message.to, sender_field: self._sender, "Body": message.body}
        if message.status_callback:
            form["StatusCallback"] = message.status_callback
        response = post(
            self._session, NAME, self._url, timeout=self._timeout, data=form, auth=self._auth
        )
        body = _json(response)
        if response.status_code in (200, 201) and isinstance(body.get("sid"), str):
            status = STATUSES.get(str(body.get("status")), "queued")
            return Sent(NAME, body["sid"], status)
        code = str(body.get("code")) if body.get("code") is not None else None
        if code == OPTED_OUT:
            raise RecipientOptedOut("the recipient has opted out of this sender", code)
        if code in SENDER_REFUSED:
            raise SetupRefused("Twilio refused the sender", code)
        if 400 <= response.status_code < 500:
            raise MessageRefused(f"Twilio refused the message ({response.status_code})", code)
        unclear = ProviderUnavailable(f"Twilio answered {response.status_code}", code)
        unclear.maybe_sent = response.status_code < 300  # a 2xx without a message: unclear
        raise unclear


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def twilio_signature(url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    """The ``X-Twilio-Signature`` of a request to ``url`` with the POST ``params``."""
    grouped: dict[str, set[str]] = {}
    for name, value in params:
        grouped.setdefault(name, set()).add(value)
    signed = url + "".join(
        name + value for name in sorted(grouped) for value in sorted(grouped[name])
    )
    digest = hmac.new(
        auth_token.encode("utf-8", "surrogatepass"),
        signed.encode("utf-8", "surrogatepass"),
        hashlib.sha1,
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def valid_twilio_signature(
    url: str, params: Iterable[tuple[str, str]], signature: str | None, auth_token: str
) -> bool:
    """Whether ``signature`` is Twilio's for this request (constant-time compare)."""
    if not signature:
        return False
    expected = twilio_signature(url, params, auth_token)
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "surrogatepass"))
