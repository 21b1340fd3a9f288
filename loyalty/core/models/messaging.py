"""A shop's messaging providers and the log of the messages sent (issue #19).

:class:`MessagingSettings` holds one row per shop and channel: the provider, what may be shown
of its settings (account id, sender, SMTP host…), and its secrets encrypted like the shop's
tokens (``loyalty.shopify.tokens``). :class:`SentMessage` is one message handed to a provider
and what became of it; campaigns add their columns to it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalty.core.models.base import ENUM_STR, Base, BigIntPK
from loyalty.core.types import UTCDateTime, utcnow


class MessageChannel(enum.StrEnum):
    SMS = "sms"
    EMAIL = "email"


class MessageStatus(enum.StrEnum):
    """Where a message is; a status never goes back to an earlier one (:data:`STATUS_RANK`)."""

    SENDING = "sending"  # recorded, not yet handed over (or the process died doing it)
    QUEUED = "queued"  # the provider took it
    SENT = "sent"  # the provider passed it on (to the carrier; SMTP: to the mail server)
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"  # the carrier could not deliver it
    FAILED = "failed"  # the provider refused it or gave up


STATUS_RANK = {
    MessageStatus.SENDING: 0,
    MessageStatus.QUEUED: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.UNDELIVERED: 3,
    MessageStatus.FAILED: 3,
}
"""Status reports arrive in any order: one of a lower rank than the stored status is stale."""


class MessagingSettings(Base):
    """A shop's provider for one channel; secrets encrypted, never returned by the API."""

    __tablename__ = "messaging_settings"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(ENUM_STR, primary_key=True)
    provider: Mapped[str] = mapped_column(ENUM_STR)
    # What the admin may show: account id, user, sender, SMTP host and port, TLS mode.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The secrets (auth token, password) as encrypted JSON.
    secrets_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    # The secret in this shop's provider callback URLs (/hooks/{provider}/{secret}/…): its
    # SHA-256 to find the shop by, and the secret encrypted to build the URLs with.
    hook_secret_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    hook_secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SentMessage(Base):
    """One message handed to a provider (or tried), and its delivery as the provider reports."""

    __tablename__ = "sent_messages"
    __table_args__ = (
        UniqueConstraint("shop_id", "provider", "provider_message_id"),
        Index("ix_sent_messages_shop_id_recipient", "shop_id", "recipient"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    # None for the merchant's own test messages.
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(ENUM_STR)
    provider: Mapped[str] = mapped_column(ENUM_STR)
    provider_message_id: Mapped[str | None] = mapped_column(String(64))
    # The phone number (E.164) or email address: personal data, erased with the member.
    recipient: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(ENUM_STR, default=MessageStatus.SENDING)
    # The campaign the message belongs to (None: the merchant's test messages).
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )
    # The provider's error code (Twilio's 21610, Sveve's errorCode) or ours (``unavailable``).
    error_code: Mapped[str | None] = mapped_column(String(40))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
