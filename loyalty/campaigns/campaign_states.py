"""A campaign's state as its sending moves it: waiting, finished, stopped; whether it still
sends (the merchant may pause it between two messages). Each a committed statement."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import Campaign, CampaignState


def is_sending(sessions: sessionmaker[Session], campaign_id: int) -> bool:
    """Whether the campaign is still ``sending`` (not paused, stopped or gone)."""
    with sessions() as s:
        state = s.scalar(select(Campaign.state).where(Campaign.id == campaign_id))
        return state == CampaignState.SENDING


def wait(sessions: sessionmaker[Session], campaign_id: int, until: datetime) -> None:
    """The sending goes on at ``until`` (quiet hours, a provider that did not answer)."""
    with sessions.begin() as s:
        s.execute(update(Campaign).where(Campaign.id == campaign_id).values(resume_at=until))


def finish(sessions: sessionmaker[Session], campaign_id: int, now: datetime) -> None:
    """Every member sent, failed or skipped: ``sent``."""
    with sessions.begin() as s:
        s.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.state == CampaignState.SENDING)
            .values(state=CampaignState.SENT, finished_at=now, resume_at=None)
        )


def stop(sessions: sessionmaker[Session], campaign_id: int, code: str, now: datetime) -> None:
    """The provider (or Shopify) refused the shop's setup: ``failed``, with why."""
    with sessions.begin() as s:
        s.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id)
            .values(state=CampaignState.FAILED, error_code=code[:40], finished_at=now)
        )
