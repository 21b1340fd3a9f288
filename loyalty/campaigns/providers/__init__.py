"""The providers that carry Klubb's messages, real and swappable (issue #19, item 1).

SMS through Twilio (:mod:`.twilio`) or Sveve (:mod:`.sveve`), email over SMTP to the
merchant's own mail provider (:mod:`.smtp`); each takes its settings as plain values and
speaks the interface of :mod:`.base`: ``send_sms(SmsMessage)`` or ``send_email(EmailMessage)``
returning a :class:`~.base.Sent`, or raising one of the errors drawn there. Which provider a
shop uses, and its credentials, is :mod:`loyalty.campaigns.credentials`'s.
"""

from __future__ import annotations

from loyalty.campaigns.providers.base import (
    CredentialsRefused,
    Email,
    EmailProvider,
    MessageRefused,
    ProviderError,
    ProviderUnavailable,
    RecipientOptedOut,
    Sent,
    SetupRefused,
    SmsMessage,
    SmsProvider,
)

__all__ = [
    "CredentialsRefused",
    "Email",
    "EmailProvider",
    "MessageRefused",
    "ProviderError",
    "ProviderUnavailable",
    "RecipientOptedOut",
    "Sent",
    "SetupRefused",
    "SmsMessage",
    "SmsProvider",
]
