"""Segments, campaigns and each campaign's recipients (issue #19, items 2 and 3).

A :class:`Segment` is a saved filter over a shop's members (``loyalty.campaigns.segments``).
A :class:`Campaign` sends one message per language to a segment's members on one channel.
:class:`CampaignRecipient` is the campaign's audience, frozen when the sending starts: one row
per (campaign, member), claimed before the member's message goes, so a worker killed in the
middle resumes without messaging anyone twice (``loyalty.campaigns.campaign_send``).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from loyalty.core.models.base import ENUM_STR, Base, BigIntPK
from loyalty.core.types import UTCDateTime, utcnow


class CampaignState(enum.StrEnum):
    DRAFT = "draft"  # written, not scheduled
    SCHEDULED = "scheduled"  # waits for send_at
    SENDING = "sending"  # audience frozen, messages going (or deferred by quiet hours)
    PAUSED = "paused"  # sending stopped by the merchant; resumed, it goes on where it stopped
    SENT = "sent"  # every recipient sent, failed or skipped
    FAILED = "failed"  # stopped: the provider refused the shop's setup (error says why)


class RecipientState(enum.StrEnum):
    PENDING = "pending"  # not yet tried
    CLAIMED = "claimed"  # being sent now; never sent again (the send may have gone)
    SENT = "sent"  # the provider took it
    FAILED = "failed"  # the provider refused it, or it may have gone and cannot be re-sent
    SKIPPED = "skipped"  # not sent: no consent, no valid number or address (reason says)


class Segment(Base):
    """A saved filter over the shop's members; an empty filter is every active member."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    # The checked filter as JSON (loyalty.campaigns.segment_filter.parse_filter's input form).
    filter: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Campaign(Base):
    """One message to a segment on one channel, in the member's language."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(ENUM_STR)
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segments.id", ondelete="SET NULL"), index=True
    )
    # {"nb": text, "en": text}; email also has subjects in the same form.
    message: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    subject: Mapped[dict[str, str] | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(ENUM_STR, default=CampaignState.DRAFT, index=True)
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set while the sending waits (quiet hours, a provider that did not answer): the
    # scheduler's sweep resumes it then.
    resume_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    audience: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_code: Mapped[str | None] = mapped_column(String(40))
    # The offer (loyalty.campaigns.offers): a code per member, a shared code, bonus points.
    offer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A shared code's discount in Shopify once made (gid://shopify/DiscountCodeNode/…).
    discount_id: Mapped[str | None] = mapped_column(String(100))
    # When the codes job last made a code for every member of the audience it saw.
    codes_ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Orders by a recipient within this many hours of their message are the campaign's.
    attribution_hours: Mapped[int] = mapped_column(Integer, default=72)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CampaignCodeState(enum.StrEnum):
    PENDING = "pending"  # chosen and stored; Shopify may or may not have it yet
    CREATED = "created"  # Shopify has it (a member's own), or the member was sent the shared one
    FAILED = "failed"  # Shopify refused it: the member's message goes without a code


class CampaignCode(Base):
    """A campaign's code for one member: their own (made ahead of the sending), or the shared
    code they were sent; ``used_at``/``order_id``: the earliest order of theirs that used it."""

    __tablename__ = "campaign_codes"
    __table_args__ = (
        UniqueConstraint("campaign_id", "member_id"),
        Index("ix_campaign_codes_shop_id_code", "shop_id", "code"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(String(64))
    discount_id: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(ENUM_STR, default=CampaignCodeState.PENDING)
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CampaignRecipient(Base):
    """One member of a campaign's frozen audience and what became of their message."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        UniqueConstraint("campaign_id", "member_id"),
        Index("ix_campaign_recipients_campaign_id_state", "campaign_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(ENUM_STR, default=RecipientState.PENDING)
    # Why it was skipped or failed: no_consent, invalid_number, no_email, interrupted, a
    # provider's error code.
    reason: Mapped[str | None] = mapped_column(String(40))
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("sent_messages.id", ondelete="SET NULL")
    )
    # The member's unsubscribe link's token (GET /l/{token}).
    link_token: Mapped[str | None] = mapped_column(String(32), unique=True)
    detail: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CampaignClick(Base):
    """A recipient's clicks on one link of their message (``/l/{token}-{link}``)."""

    __tablename__ = "campaign_clicks"
    __table_args__ = (
        UniqueConstraint("recipient_id", "link"),
        Index("ix_campaign_clicks_campaign_id", "campaign_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_recipients.id", ondelete="CASCADE")
    )
    link: Mapped[int] = mapped_column(Integer)  # 1: the text's first link
    clicks: Mapped[int] = mapped_column(Integer, default=1)
    first_clicked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_clicked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
