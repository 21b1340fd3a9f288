"""A campaign's recipients: the audience frozen once, and each member's claim and outcome.

The states a :class:`~loyalty.core.models.CampaignRecipient` moves through while
:mod:`loyalty.campaigns.campaign_send` runs the campaign: ``pending`` (frozen into the
audience), ``claimed`` (committed before its message goes, so two runs cannot both send it),
then ``sent``, ``failed`` or ``skipped`` with a reason; a claim a dead run left is settled from
the send log.
"""

from __future__ import annotations

import secrets
import string
from datetime import datetime

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns.campaign_text import TOKEN_LENGTH
from loyalty.campaigns.segment_sql import segment_select
from loyalty.campaigns.segments import shop_language, stored_filter
from loyalty.core.models import (
    Campaign,
    CampaignRecipient,
    CampaignState,
    Member,
    MessageStatus,
    RecipientState,
    SentMessage,
)
from loyalty.core.types import UTCDateTime

_ALPHABET = string.ascii_letters + string.digits


def freeze_audience(s: Session, campaign: Campaign, now: datetime) -> None:
    """One row per member of the audience (``pending``), in one statement; ``sending``."""
    campaign.state = CampaignState.SENDING
    campaign.started_at = now
    if campaign.segment_id is None:
        campaign.audience = 0
        return
    wanted = stored_filter(s, campaign.shop_id, campaign.segment_id)
    members = segment_select(
        [
            literal(campaign.id),
            literal(campaign.shop_id),
            Member.id,
            literal(RecipientState.PENDING.value),
            literal(now, UTCDateTime()),
        ],
        campaign.shop_id,
        wanted,
        now=now,
        default_language=shop_language(s, campaign.shop_id),
        channel=campaign.channel,
    )
    r = CampaignRecipient
    s.execute(
        insert(r).from_select(
            [r.campaign_id, r.shop_id, r.member_id, r.state, r.updated_at], members
        )
    )
    campaign.audience = s.scalar(select(func.count()).where(r.campaign_id == campaign.id))


def settle_claims(s: Session, campaign_id: int) -> None:
    """Claims left by a run that died: sent, failed (may have gone) or pending (did not)."""
    r, m = CampaignRecipient, SentMessage
    stale = s.execute(
        select(r.id, r.member_id).where(
            r.campaign_id == campaign_id, r.state == RecipientState.CLAIMED
        )
    ).all()
    for recipient_id, member_id in stale:
        logged = s.execute(
            select(m.id, m.status)
            .where(m.campaign_id == campaign_id, m.member_id == member_id)
            .order_by(m.id.desc())
            .limit(1)
        ).one_or_none()
        row = s.get(CampaignRecipient, recipient_id)
        assert row is not None
        if logged is None:
            row.state = RecipientState.PENDING  # the process died before anything went
        elif logged.status == MessageStatus.SENDING:
            row.state, row.reason = RecipientState.FAILED, "interrupted"
            row.message_id = logged.id
        elif logged.status == MessageStatus.FAILED:
            row.state, row.reason, row.message_id = RecipientState.FAILED, "failed", logged.id
        else:
            row.state, row.message_id = RecipientState.SENT, logged.id


def claim(sessions: sessionmaker[Session], recipient_id: int, now: datetime) -> bool:
    """``pending`` → ``claimed`` with a fresh link token, committed; whether we got it."""
    token = "".join(secrets.choice(_ALPHABET) for _ in range(TOKEN_LENGTH))
    with sessions.begin() as s:
        claimed = s.execute(
            update(CampaignRecipient)
            .where(
                CampaignRecipient.id == recipient_id,
                CampaignRecipient.state == RecipientState.PENDING,
            )
            .values(state=RecipientState.CLAIMED, link_token=token, updated_at=now)
        )
        return bool(getattr(claimed, "rowcount", 0))


def mark(
    sessions: sessionmaker[Session],
    recipient_id: int,
    now: datetime,
    state: RecipientState,
    reason: str | None = None,
    message_id: int | None = None,
) -> None:
    """Where a claimed member's message stands (committed)."""
    with sessions.begin() as s:
        mark_in(s, recipient_id, now, state, reason, message_id)


def mark_in(
    s: Session,
    recipient_id: int,
    now: datetime,
    state: RecipientState,
    reason: str | None = None,
    message_id: int | None = None,
) -> None:
    """:func:`mark` inside the caller's transaction."""
    s.execute(
        update(CampaignRecipient)
        .where(CampaignRecipient.id == recipient_id)
        .values(state=state, reason=reason, message_id=message_id, updated_at=now)
    )
