"""A shop's messaging providers: stored with their secrets encrypted, shown without them,
and built into the provider objects that send.

Secrets (an auth token, a password) are encrypted as one JSON object with the shop tokens'
cipher (MultiFernet over ``TOKEN_ENCRYPTION_KEYS``, :class:`~loyalty.shopify.tokens.TokenCipher`),
never returned, never logged; the overview says only whether one is stored. Each SMS setup
also has a random secret for the shop's provider callback URLs (``/hooks/{provider}/{secret}/…``):
stored as its SHA-256 to find the shop by, and encrypted to build the URLs with; it stays
the same when the settings change, so reports of messages sent earlier still arrive.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns.providers import EmailProvider, SmsProvider
from loyalty.campaigns.providers.smtp import SmtpEmail, TlsMode
from loyalty.campaigns.providers.sveve import SveveSms
from loyalty.campaigns.providers.twilio import TwilioSms
from loyalty.campaigns.settings_rules import (
    ProviderSettings,
    parse_email_settings,
    parse_sms_settings,
)
from loyalty.core.config import Config
from loyalty.core.errors import LoyaltyError
from loyalty.core.models import MessageChannel, MessagingSettings
from loyalty.privacy import audit
from loyalty.shopify.tokens import TokenCipher

TWILIO_STATUS_PATH = "/hooks/twilio/{secret}/status/{message_id}"
"""Where Twilio reports one message's status (the message's id: ours, in the log)."""
SVEVE_REPORT_PATH = "/hooks/sveve/{secret}/dlr"
"""The delivery report URL the merchant gives Sveve (Sveve sets it on the account)."""
HOOK_SECRET_BYTES = 24


class NotConfigured(LoyaltyError):
    """The shop has set up no provider for this channel."""

    code = "not_configured"


@dataclass(frozen=True)
class SmsSetup:
    """A shop's SMS provider, ready to send, and the secret of its callback URLs."""

    provider: SmsProvider
    hook_secret: str


@dataclass(frozen=True)
class HookTarget:
    """The shop a callback URL's secret belongs to, and its SMS credentials."""

    shop_id: int
    provider: str
    secrets: dict[str, str]


def hook_digest(secret: str) -> str:
    """The SHA-256 a callback secret is looked up by."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


PARSERS: dict[
    MessageChannel, Callable[[Mapping[str, Any], ProviderSettings | None], ProviderSettings]
] = {
    MessageChannel.SMS: parse_sms_settings,
    MessageChannel.EMAIL: parse_email_settings,
}
"""How each channel's settings are checked (:mod:`loyalty.campaigns.settings_rules`)."""


def save_settings(
    sessions: sessionmaker[Session],
    cipher: TokenCipher,
    shop_id: int,
    channel: MessageChannel,
    body: Mapping[str, Any],
    *,
    actor: str | None,
    app_url: str,
) -> dict[str, Any]:
    """Check and store the shop's provider for ``channel`` (a :class:`ValidationError` naming
    every bad field, nothing stored); the settings as :func:`messaging_overview` shows them."""
    with sessions.begin() as s:
        row = s.get(MessagingSettings, (shop_id, channel), with_for_update=True)
        stored = None
        if row is not None:
            stored = ProviderSettings(row.provider, dict(row.settings), None)
        checked = PARSERS[channel](body, stored)
        if row is None:
            row = MessagingSettings(shop_id=shop_id, channel=channel)
            s.add(row)
            if channel is MessageChannel.SMS:
                secret = secrets.token_urlsafe(HOOK_SECRET_BYTES)
                row.hook_secret_digest = hook_digest(secret)
                row.hook_secret_encrypted = cipher.encrypt(secret)
        row.provider = checked.provider
        row.settings = checked.public
        if checked.secrets is not None:
            row.secrets_encrypted = cipher.encrypt(json.dumps(checked.secrets))
        audit.record(s, shop_id, _actor_type(actor), actor, "messaging.update", detail=channel)
        s.flush()
        return _channel_view(row, cipher, app_url)


def _actor_type(actor: str | None) -> str:
    return audit.ActorType.STAFF if actor else audit.ActorType.SYSTEM


def messaging_overview(
    sessions: sessionmaker[Session], cipher: TokenCipher, shop_id: int, app_url: str
) -> dict[str, Any]:
    """What the shop has set up per channel, without a secret; null for a channel without."""
    with sessions() as s:
        rows = {
            row.channel: row
            for row in s.scalars(
                select(MessagingSettings).where(MessagingSettings.shop_id == shop_id)
            )
        }
        return {
            channel.value: _channel_view(rows[channel], cipher, app_url)
            if channel in rows
            else None
            for channel in MessageChannel
        }


def _channel_view(row: MessagingSettings, cipher: TokenCipher, app_url: str) -> dict[str, Any]:
    view: dict[str, Any] = {
        "provider": row.provider,
        **row.settings,
        "secret_stored": bool(_secrets(row, cipher)),
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
    }
    if row.provider == "sveve" and row.hook_secret_encrypted is not None:
        secret = cipher.decrypt(row.hook_secret_encrypted)
        view["delivery_report_url"] = app_url + SVEVE_REPORT_PATH.format(secret=secret)
    return view


def _secrets(row: MessagingSettings, cipher: TokenCipher) -> dict[str, str]:
    loaded = json.loads(cipher.decrypt(row.secrets_encrypted))
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def sms_setup(
    sessions: sessionmaker[Session], cipher: TokenCipher, config: Config, shop_id: int
) -> SmsSetup:
    """The shop's SMS provider, ready to send; raises :class:`NotConfigured`."""
    with sessions() as s:
        row = s.get(MessagingSettings, (shop_id, MessageChannel.SMS))
        if row is None or row.hook_secret_encrypted is None:
            raise NotConfigured("no SMS provider is set up")
        public, secret = dict(row.settings), _secrets(row, cipher)
        hook_secret = cipher.decrypt(row.hook_secret_encrypted)
        provider_name = row.provider
    return SmsSetup(SMS_PROVIDERS[provider_name](config, public, secret), hook_secret)


def email_provider(
    sessions: sessionmaker[Session], cipher: TokenCipher, config: Config, shop_id: int
) -> EmailProvider:
    """The shop's SMTP server, ready to send; raises :class:`NotConfigured`."""
    with sessions() as s:
        row = s.get(MessagingSettings, (shop_id, MessageChannel.EMAIL))
        if row is None:
            raise NotConfigured("no mail server is set up")
        public, secret = dict(row.settings), _secrets(row, cipher)
    return SmtpEmail(
        host=public["host"],
        port=int(public["port"]),
        tls=TlsMode(public["tls"]),
        sender=public["from"],
        sender_name=public.get("from_name"),
        user=public.get("user"),
        password=secret.get("password"),
        timeout=config.messaging_timeout,
    )


def _twilio(config: Config, public: Mapping[str, Any], secret: Mapping[str, str]) -> SmsProvider:
    return TwilioSms(
        api_base=config.twilio_api_base,
        account_sid=public["account_sid"],
        auth_token=secret["auth_token"],
        sender=public["sender"],
        timeout=config.messaging_timeout,
    )


def _sveve(config: Config, public: Mapping[str, Any], secret: Mapping[str, str]) -> SmsProvider:
    return SveveSms(
        api_base=config.sveve_api_base,
        user=public["user"],
        password=secret["password"],
        sender=public["sender"],
        timeout=config.messaging_timeout,
    )


SMS_PROVIDERS: dict[str, Callable[[Config, Mapping[str, Any], Mapping[str, str]], SmsProvider]] = {
    "twilio": _twilio,
    "sveve": _sveve,
}
"""Each SMS provider's name and how to build it from the stored settings."""


def hook_target(
    sessions: sessionmaker[Session], cipher: TokenCipher, secret: str
) -> HookTarget | None:
    """The shop whose callback URLs carry ``secret``, with its SMS credentials; None if none."""
    with sessions() as s:
        row = s.scalars(
            select(MessagingSettings).where(
                MessagingSettings.hook_secret_digest == hook_digest(secret),
                MessagingSettings.channel == MessageChannel.SMS,
            )
        ).one_or_none()
        if row is None:
            return None
        return HookTarget(row.shop_id, row.provider, _secrets(row, cipher))


def rotate_messaging_secrets(sessions: sessionmaker[Session], cipher: TokenCipher) -> int:
    """Re-encrypt every shop's messaging secrets under the newest key (a key rotation's step
    3, beside ``loyalty.shopify.shops.rotate_stored_tokens``); how many settings were touched."""
    count = 0
    with sessions.begin() as s:
        for row in s.scalars(select(MessagingSettings).with_for_update()):
            row.secrets_encrypted = cipher.rotate(row.secrets_encrypted)
            if row.hook_secret_encrypted is not None:
                row.hook_secret_encrypted = cipher.rotate(row.hook_secret_encrypted)
            count += 1
    return count


def twilio_status_url(app_url: str, hook_secret: str, message_id: int) -> str:
    """The ``StatusCallback`` of one message sent through Twilio."""
    return app_url + TWILIO_STATUS_PATH.format(secret=hook_secret, message_id=message_id)
