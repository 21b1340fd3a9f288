"""Sending one message through the shop's provider, logged before and after.

:func:`send_sms` and :func:`send_email` are what every sender uses (the merchant's test
message now, campaigns later): the row in the send log first (its id is the message's
reference in the provider's reports), then the provider, then its answer in the row. A
recipient who opted out at the provider (Twilio's 21610) loses their SMS consent as the refusal
is recorded. The outcome carries the provider's error rather than
raising it: each caller decides what a refusal means for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns import credentials, send_log
from loyalty.campaigns.opt_out import withdraw_sms_consent
from loyalty.campaigns.providers import (
    Email,
    ProviderError,
    RecipientOptedOut,
    Sent,
    SmsMessage,
)
from loyalty.campaigns.providers.twilio import NAME as TWILIO
from loyalty.core.config import Config
from loyalty.core.models import MessageChannel
from loyalty.shopify.tokens import TokenCipher


@dataclass(frozen=True)
class Outcome:
    """One message's fate at the provider: taken (``sent``) or refused (``error``)."""

    message_id: int
    sent: Sent | None = None
    error: ProviderError | None = None
    consent_event_id: int | None = None
    """The SMS consent withdrawn because the recipient had opted out, to push to Shopify."""


def send_sms(
    sessions: sessionmaker[Session],
    cipher: TokenCipher,
    config: Config,
    shop_id: int,
    *,
    to: str,
    text: str,
    member_id: int | None = None,
    campaign_id: int | None = None,
) -> Outcome:
    """Send ``text`` to ``to`` (E.164) through the shop's SMS provider, logged.

    Raises :class:`~loyalty.campaigns.credentials.NotConfigured` when the shop has none.
    """
    setup = credentials.sms_setup(sessions, cipher, config, shop_id)
    provider = setup.provider

    def send(message_id: int) -> Sent:
        callback = None
        if provider.name == TWILIO:
            callback = credentials.twilio_status_url(config.app_url, setup.hook_secret, message_id)
        return provider.send_sms(SmsMessage(to, text, str(message_id), callback))

    what = (MessageChannel.SMS, provider.name, to)
    return _logged(sessions, shop_id, member_id, campaign_id, what, send)


def send_email(
    sessions: sessionmaker[Session],
    cipher: TokenCipher,
    config: Config,
    shop_id: int,
    message: Email,
    *,
    member_id: int | None = None,
    campaign_id: int | None = None,
) -> Outcome:
    """Send ``message`` through the shop's mail server, logged.

    Raises :class:`~loyalty.campaigns.credentials.NotConfigured` when the shop has none.
    """
    provider = credentials.email_provider(sessions, cipher, config, shop_id)
    what = (MessageChannel.EMAIL, provider.name, message.to)
    return _logged(
        sessions, shop_id, member_id, campaign_id, what, lambda _id: provider.send_email(message)
    )


def _logged(
    sessions: sessionmaker[Session],
    shop_id: int,
    member_id: int | None,
    campaign_id: int | None,
    what: tuple[str, str, str],
    send: Callable[[int], Sent],
) -> Outcome:
    """The row first (``what``: channel, provider, recipient), then ``send(row id)``, then
    the provider's answer in the row."""
    message_id = send_log.record_attempt(sessions, shop_id, member_id, *what, campaign_id)
    try:
        sent = send(message_id)
    except ProviderError as err:
        return _refused(sessions, shop_id, member_id, message_id, err)
    send_log.record_outcome(sessions, message_id, sent)
    return Outcome(message_id, sent=sent)


def _refused(
    sessions: sessionmaker[Session],
    shop_id: int,
    member_id: int | None,
    message_id: int,
    error: ProviderError,
) -> Outcome:
    send_log.record_outcome(sessions, message_id, error)
    consent_event_id = None
    if isinstance(error, RecipientOptedOut) and member_id is not None:
        with sessions.begin() as s:
            consent_event_id = withdraw_sms_consent(s, shop_id, member_id)
    return Outcome(message_id, error=error, consent_event_id=consent_event_id)
