"""What every provider takes, gives back and raises.

The error tree (what the caller does about each is the point of it)::

    ProviderError                 the message was not handed over
    ├── ProviderUnavailable       try again later: a timeout, a connection that failed, 429, 5xx
    ├── SetupRefused              no message will go until the merchant changes the settings:
    │   └── CredentialsRefused      credentials refused (401, Sveve's login error, SMTP AUTH),
    │                               or (SetupRefused itself) a TLS handshake or a sender refused
    └── MessageRefused            this one message will not go as it is (a bad number …)
        └── RecipientOptedOut       the recipient opted out at the provider (Twilio's 21610)

Each carries ``provider_code`` (the provider's own error code, when it gave one) and never a
credential or the recipient: errors end up in logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from loyalty.core.errors import LoyaltyError


class ProviderError(LoyaltyError):
    """The provider did not take the message."""

    code = "provider_error"

    def __init__(self, message: str, provider_code: str | None = None) -> None:
        super().__init__(message)
        self.provider_code = provider_code


class ProviderUnavailable(ProviderError):
    """Retryable: nothing says the message is wrong, the provider did not take it now."""

    code = "provider_unavailable"
    retry_after: float | None = None
    """Seconds the provider asked us to wait (``Retry-After``), when it said."""
    maybe_sent: bool = False
    """True when the request reached the provider and the answer was lost (a read timeout, a
    connection broken mid-answer): the message may have gone, and sending it again may send it
    twice. False when it cannot have gone (no connection, 429, 5xx)."""


class SetupRefused(ProviderError):
    """Not retryable: every message will fail until the merchant fixes the settings."""

    code = "setup_refused"


class CredentialsRefused(SetupRefused):
    """The provider refused the credentials (HTTP 401, a login error)."""

    code = "credentials_refused"


class MessageRefused(ProviderError):
    """Not retryable: the provider refused this message (its recipient, its text)."""

    code = "message_refused"


class RecipientOptedOut(MessageRefused):
    """The recipient opted out of messages from this sender at the provider (replied STOP)."""

    code = "recipient_opted_out"


@dataclass(frozen=True)
class SmsMessage:
    """One SMS: ``to`` in E.164, the text, and where the provider reports its delivery."""

    to: str
    body: str
    reference: str | None = None
    """Ours, echoed in delivery reports where the provider supports it (Sveve's ``ref``)."""
    status_callback: str | None = None
    """The URL the provider posts status changes to, where it takes one per message (Twilio)."""


@dataclass(frozen=True)
class Email:
    """One email: plain text and an optional HTML alternative."""

    to: str
    subject: str
    text: str
    html: str | None = None
    unsubscribe_url: str | None = None
    """Sent as ``List-Unsubscribe`` (with one-click ``List-Unsubscribe-Post``) when given."""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sent:
    """What the provider said when it took the message."""

    provider: str
    provider_message_id: str | None
    status: str
    """``queued`` (taken, delivery still to come) or ``sent`` (SMTP: relayed)."""


class SmsProvider(Protocol):
    """Sends one SMS (Twilio, Sveve, a test's fake)."""

    name: str

    def send_sms(self, message: SmsMessage) -> Sent:
        """Hand ``message`` to the provider; raises a :class:`ProviderError` if it is not taken."""
        ...


class EmailProvider(Protocol):
    """Sends one email (SMTP, a test's fake)."""

    name: str

    def send_email(self, message: Email) -> Sent:
        """Hand ``message`` to the provider; raises a :class:`ProviderError` if it is not taken."""
        ...
