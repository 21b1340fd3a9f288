"""Sveve, a Norwegian SMS gateway: one SMS per ``POST {SVEVE_API_BASE}/SMS/SendMessage``.

What we checked (docs/decisions.md, "Session 8: messaging providers"): Sveve's API page
documents the parameters (``user``, ``passwd``, ``to``, ``msg`` up to 1071 characters,
``from`` up to 11 characters, ``ref`` up to 36, echoed in delivery reports, ``f=json``) and a
POST with them as a JSON object. The answer is ``{"response": {"msgOkCount", "stdSMSCount",
"ids": [...], "errors": [{"number", "message"}]}}``, or ``{"response": {"fatalError": "…"}}``
with status 200 for a refused login ("Feil brukernavn/passord") and other account problems;
Sveve takes at most 5 requests at once (429 beyond). Those shapes and the ``sveve.no`` host
come from two independent client libraries, not Sveve's page.

A Norwegian number is sent as its 8 digits (as Sveve's own examples write them), any other
as ``00`` and its digits (unverified: Sveve's page does not say).
"""

from __future__ import annotations

from typing import Any

import requests

from loyalty.campaigns.phones import NORWAY, is_norwegian
from loyalty.campaigns.providers.base import (
    CredentialsRefused,
    MessageRefused,
    ProviderUnavailable,
    Sent,
    SetupRefused,
    SmsMessage,
)
from loyalty.campaigns.providers.http import post

NAME = "sveve"
REF_MAX = 36
LOGIN_WORDS = ("brukernavn", "passord")
"""Words of Sveve's fatal error for refused credentials ("Feil brukernavn/passord")."""


def sveve_number(e164: str) -> str:
    """How Sveve's ``to`` takes an E.164 number."""
    if is_norwegian(e164):
        return e164[1 + len(NORWAY) :]
    return "00" + e164[1:]


class SveveSms:
    """Sends SMS through one Sveve account."""

    name = NAME

    def __init__(
        self,
        *,
        api_base: str,
        user: str,
        password: str,
        sender: str,
        timeout: float,
        session: requests.Session | None = None,
    ) -> None:
        self._url = f"{api_base.rstrip('/')}/SMS/SendMessage"
        self._login = {"user": user, "passwd": password}
        self._sender = sender
        self._timeout = timeout
        self._session = session or requests.Session()

    def send_sms(self, message: SmsMessage) -> Sent:
        """Send the message; Sveve's message id, status ``queued`` (its report comes later)."""
        payload: dict[str, Any] = {
            **self._login,
            "to": sveve_number(message.to),
            "msg": message.body,
            "from": self._sender,
            "f": "json",
        }
        if message.reference:
            payload["ref"] = message.reference[:REF_MAX]
        response = post(self._session, NAME, self._url, timeout=self._timeout, json=payload)
        if response.status_code != 200:
            raise MessageRefused(
                f"Sveve answered {response.status_code}", str(response.status_code)
            )
        answer = _answer(response)
        fatal = answer.get("fatalError")
        if isinstance(fatal, str) and fatal.strip():
            if any(word in fatal.lower() for word in LOGIN_WORDS):
                raise CredentialsRefused("Sveve refused the user name or password", "login")
            raise SetupRefused("Sveve refused the request for the account", "fatal")
        ids = answer.get("ids")
        if isinstance(ids, list) and ids and isinstance(ids[0], int | str) and str(ids[0]):
            return Sent(NAME, str(ids[0]), "queued")
        if _count(answer.get("msgOkCount")):
            return Sent(NAME, None, "queued")  # sent without an id: reports match by ``ref``
        raise MessageRefused("Sveve refused the message", "refused")


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _answer(response: requests.Response) -> dict[str, Any]:
    """The ``response`` object of a 200; one Sveve did not write may still have sent it."""
    try:
        body = response.json()
    except ValueError:
        body = None
    inner = body.get("response") if isinstance(body, dict) else None
    if not isinstance(inner, dict):
        unclear = ProviderUnavailable("Sveve's answer was not its JSON", "unreadable")
        unclear.maybe_sent = True
        raise unclear
    return inner
