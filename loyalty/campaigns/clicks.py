"""Tracked links: each link in a campaign's message goes through ``/l/{token}-{n}``.

The recipient's token (their unsubscribe link's) names the member and the campaign; ``n`` the
n-th link of the text in the language they were sent (:func:`loyalty.campaigns.campaign_text.links`),
which is where the click leads: the targets come from the stored campaign, never from the
URL, so ``/l/`` redirects nowhere else. Each click counts (``campaign_clicks``: one row per
recipient and link, its clicks and first and last time); the campaign's results show the
members who clicked and the clicks in all. A link scanner opening links ahead of the reader
counts as a click too: no way to tell them apart.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns.campaign_text import links
from loyalty.campaigns.segments import shop_language
from loyalty.core.db import excluded, upsert
from loyalty.core.models import Campaign, CampaignClick, CampaignRecipient, Member
from loyalty.core.types import utcnow

TRACKED = re.compile(r"([A-Za-z0-9]{16})-([1-9][0-9]?)")


def follow(sessions: sessionmaker[Session], path: str, now: datetime | None = None) -> str | None:
    """Count a click on ``{token}-{n}``; where it leads, or None if it is no tracked link."""
    matched = TRACKED.fullmatch(path)
    if matched is None:
        return None
    token, n = matched.group(1), int(matched.group(2))
    now = now or utcnow()
    with sessions.begin() as s:
        row = s.execute(
            select(CampaignRecipient, Campaign.message, Member.language)
            .join(Campaign, Campaign.id == CampaignRecipient.campaign_id)
            .join(Member, Member.id == CampaignRecipient.member_id)
            .where(CampaignRecipient.link_token == token)
        ).one_or_none()
        if row is None:
            return None
        recipient = row.CampaignRecipient
        message = dict(row.message)
        language = row.language if row.language in message else shop_language(s, recipient.shop_id)
        targets = links(message.get(language, ""))
        if not 1 <= n <= len(targets):
            return None
        s.execute(
            upsert(s, CampaignClick)
            .values(
                shop_id=recipient.shop_id,
                campaign_id=recipient.campaign_id,
                recipient_id=recipient.id,
                link=n,
                clicks=1,
                first_clicked_at=now,
                last_clicked_at=now,
            )
            .on_conflict_do_update(
                index_elements=["recipient_id", "link"],
                set_={
                    "clicks": CampaignClick.clicks + 1,
                    "last_clicked_at": excluded(CampaignClick).c.last_clicked_at,
                },
            )
        )
        return targets[n - 1]


def click_counts(s: Session, campaign_id: int) -> dict[str, int]:
    """``{"members", "total"}``: the members who clicked a link, and every click."""
    members, total = s.execute(
        select(
            func.count(func.distinct(CampaignClick.recipient_id)), func.sum(CampaignClick.clicks)
        ).where(CampaignClick.campaign_id == campaign_id)
    ).one()
    return {"members": int(members or 0), "total": int(total or 0)}
