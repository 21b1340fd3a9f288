"""The rules of a shop's messaging settings, as ``PUT /api/messaging/sms|email`` sends them.

SMS: ``{"provider": "twilio", "account_sid", "auth_token", "sender"}`` or ``{"provider":
"sveve", "user", "password", "sender"}``. Email: ``{"host", "port", "user", "password",
"from", "from_name", "tls"}``. Every bad or unknown field is named at once (a
:class:`ValidationError`, 422), nothing is stored then. A secret left out keeps the stored
one when the provider and its account stay the same, so the merchant can change a sender
without typing the token again; it is required otherwise.

Senders: an alphanumeric sender ID is 1 to 11 ASCII letters, digits and spaces with at least one
letter (what GSM networks carry; Sveve allows no special characters either); a number sender
is a phone number (:mod:`loyalty.campaigns.phones`), for Sveve its digits, at most 11 of them
(Sveve's ``from`` limit); a Twilio Messaging Service SID (``MG`` and 32 hex digits) is sent as
``MessagingServiceSid``.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from loyalty.campaigns.phones import PhoneRefused, to_e164
from loyalty.campaigns.providers.smtp import TlsMode
from loyalty.campaigns.providers.twilio import ACCOUNT_SID, MESSAGING_SERVICE_SID
from loyalty.core.errors import ValidationError
from loyalty.core.ids import whole_from_json

SENDER_MAX = 11
ALPHANUMERIC_SENDER = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9 ]*[A-Za-z0-9])?")
SECRET_MAX = 200
NAME_MAX = 100
_VISIBLE = re.compile(r"[\x21-\x7e]+")
_SECRET = re.compile(r"[\x20-\x7e]+")
"""What SMTP's AUTH can carry (smtplib encodes it as ASCII), and every provider's tokens."""
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
EMAIL_PATTERN = (
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
"""An address as Klubb takes one: RFC 5322's plain characters before the @, a host name after."""
_EMAIL = re.compile(EMAIL_PATTERN)
LOOPBACK_NAMES = frozenset({"localhost"})
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@dataclass(frozen=True)
class ProviderSettings:
    """Checked settings: what may be shown, and the secrets (``None``: keep the stored ones)."""

    provider: str
    public: dict[str, Any]
    secrets: dict[str, str] | None
    """``None``: keep the stored secrets; ``{}``: none (an SMTP server without login)."""


Check = Callable[[Any], Any]


def parse_sms_settings(
    body: Mapping[str, Any], stored: ProviderSettings | None
) -> ProviderSettings:
    """The SMS settings in ``body``; raises :class:`ValidationError` naming each bad field."""
    provider = body.get("provider")
    if not isinstance(provider, str) or provider not in SMS_FIELDS:
        raise ValidationError({"provider": "Choose twilio or sveve."})
    public_fields, secret_field = SMS_FIELDS[provider]
    return _parse(body, provider, public_fields, secret_field, stored, {"provider"})


def parse_email_settings(
    body: Mapping[str, Any], stored: ProviderSettings | None
) -> ProviderSettings:
    """The SMTP settings in ``body``; raises :class:`ValidationError` naming each bad field.

    The password goes with a user (a server that needs no login gets neither); ``tls: none``
    is only for a mail server on this machine, where nothing crosses a network in clear.
    """
    settings = _parse(body, "smtp", EMAIL_FIELDS, "password", stored)
    public = settings.public
    if public["tls"] == TlsMode.NONE and not is_loopback_host(public["host"]):
        raise ValidationError(
            {
                "tls": "Use starttls or tls: without TLS only a mail server on this machine is allowed."
            }
        )
    return settings


def _parse(
    body: Mapping[str, Any],
    provider: str,
    public_fields: Mapping[str, tuple[Check, bool]],
    secret_field: str,
    stored: ProviderSettings | None,
    also_known: frozenset[str] | set[str] = frozenset(),
) -> ProviderSettings:
    known = {secret_field, *public_fields, *also_known}
    errors = {str(k)[:100]: "Unknown field." for k in body if k not in known}
    public: dict[str, Any] = {}
    for name, (check, required) in public_fields.items():
        value = body.get(name)
        if value is None or value == "":
            if required:
                errors[name] = "Required."
            continue
        try:
            public[name] = check(value)
        except ValueError as err:
            errors[name] = str(err)
    secret = body.get(secret_field)
    secrets: dict[str, str] | None = {}
    if secret is not None and secret != "":
        try:
            secrets = {secret_field: _secret(secret)}
        except ValueError as err:
            errors[secret_field] = str(err)
        if provider == "smtp" and "user" not in public and "user" not in errors:
            errors["user"] = "Enter the user name that goes with the password."
    elif _same_account(stored, provider, public):
        secrets = None  # keep the stored one
    elif provider != "smtp" or "user" in public:
        errors[secret_field] = "Required."
    if errors:
        raise ValidationError(errors)
    return ProviderSettings(provider, public, secrets)


def _same_account(
    stored: ProviderSettings | None, provider: str, public: Mapping[str, Any]
) -> bool:
    """Whether the stored secret belongs to the account ``public`` names (so it can be kept)."""
    if stored is None or stored.provider != provider:
        return False
    account = {"twilio": "account_sid", "sveve": "user", "smtp": "user"}[provider]
    same = stored.public.get(account) == public.get(account)
    return same and (provider != "smtp" or stored.public.get("host") == public.get("host"))


def _text(value: Any, most: int, pattern: re.Pattern[str] | None = None) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > most:
        raise ValueError(f"Enter text of 1 to {most} characters.")
    text = value.strip()
    if pattern is not None and not pattern.fullmatch(text):
        raise ValueError("Letters, digits and punctuation only, without spaces.")
    return text


def _secret(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > SECRET_MAX:
        raise ValueError(f"Enter the secret: 1 to {SECRET_MAX} characters.")
    if not _SECRET.fullmatch(value):
        raise ValueError("Letters, digits, spaces and ASCII punctuation only.")
    return value


def _account_sid(value: Any) -> str:
    if not isinstance(value, str) or not ACCOUNT_SID.fullmatch(value.strip()):
        raise ValueError("A Twilio account SID is AC followed by 32 hexadecimal digits.")
    return value.strip()


def _alphanumeric(text: str) -> str:
    if len(text) > SENDER_MAX:
        raise ValueError(f"A sender name has at most {SENDER_MAX} characters.")
    if not ALPHANUMERIC_SENDER.fullmatch(text):
        raise ValueError("A sender name has letters A-Z, digits and spaces, at least one letter.")
    return text


def _phone_sender(text: str) -> str:
    try:
        return to_e164(text)
    except PhoneRefused as err:
        raise ValueError(str(err)) from None


def _twilio_sender(value: Any) -> str:
    text = _sender_text(value)
    if MESSAGING_SERVICE_SID.fullmatch(text):
        return text
    if text.lstrip("+").replace(" ", "").isdigit():
        return _phone_sender(text)
    return _alphanumeric(text)


def _sveve_sender(value: Any) -> str:
    text = _sender_text(value)
    if text.lstrip("+").replace(" ", "").isdigit():
        digits = _phone_sender(text)[1:]
        if len(digits) > SENDER_MAX:
            raise ValueError(f"Sveve takes a sender of at most {SENDER_MAX} digits.")
        return digits
    return _alphanumeric(text)


def _sender_text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Enter a sender: a name of up to 11 characters, or a phone number.")
    if len(value) > 40:
        raise ValueError(f"A sender name has at most {SENDER_MAX} characters.")
    return value.strip()


def _host(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 253:
        raise ValueError("Enter the mail server's host name, like smtp.example.com.")
    host = value.strip().lower().rstrip(".")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not all(_HOST_LABEL.fullmatch(label) for label in host.split(".")):
        raise ValueError("Enter the mail server's host name, like smtp.example.com.")
    return host


def _port(value: Any) -> int:
    number = whole_from_json(value)
    if number is None or not 1 <= number <= 65535:
        raise ValueError("Enter a port from 1 to 65535 (587 for STARTTLS, 465 for TLS).")
    return number


def _tls(value: Any) -> str:
    if not isinstance(value, str) or value not in {m.value for m in TlsMode}:
        raise ValueError("Choose starttls, tls or none.")
    return value


def email_address(value: Any) -> str:
    """An email address (``ValueError`` with the field's message if it is none)."""
    if not isinstance(value, str) or len(value) > 320 or not _EMAIL.fullmatch(value.strip()):
        raise ValueError("Enter an email address, like club@example.com.")
    return value.strip()


def _display_name(value: Any) -> str:
    """A sender's name: no line breaks or other control characters (a header carries it)."""
    if isinstance(value, str) and any(unicodedata.category(c) in _INVISIBLE for c in value):
        raise ValueError("Remove control or invisible characters.")
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not text or len(text) > NAME_MAX:
        raise ValueError(f"Enter text of 1 to {NAME_MAX} characters.")
    return text


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` is this machine (``localhost`` or a loopback address)."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


SMS_FIELDS: dict[str, tuple[dict[str, tuple[Check, bool]], str]] = {
    "twilio": (
        {"account_sid": (_account_sid, True), "sender": (_twilio_sender, True)},
        "auth_token",
    ),
    "sveve": (
        {"user": (lambda v: _text(v, NAME_MAX, _VISIBLE), True), "sender": (_sveve_sender, True)},
        "password",
    ),
}
"""Per SMS provider: its shown fields (check, required) and its secret's field."""
EMAIL_FIELDS: dict[str, tuple[Check, bool]] = {
    "host": (_host, True),
    "port": (_port, True),
    "tls": (_tls, True),
    "from": (email_address, True),
    "from_name": (_display_name, False),
    "user": (lambda v: _text(v, 320, _VISIBLE), False),
}
