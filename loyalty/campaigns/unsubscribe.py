"""The unsubscribe link in every campaign message (``GET|POST /l/{token}``).

Each recipient of a campaign gets a token of their own (``CampaignRecipient.link_token``,
16 random letters and digits). The link names the member and the channel the message came
by; following it through withdraws that channel's consent, as a
:class:`~loyalty.core.models.ConsentEvent` (source :data:`SOURCE`) marked "push pending", so
the consent push tells Shopify as it does for the widget's changes. Idempotent: a member
without that consent is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns.opt_out import withdraw_consent
from loyalty.core.models import Campaign, CampaignRecipient, Member, MemberStatus, Shop

SOURCE = "unsubscribe_link"
TOKEN = re.compile(r"[A-Za-z0-9]{16}")


@dataclass(frozen=True)
class LinkTarget:
    """Whom a link unsubscribes from what: enough for the page, no personal data."""

    channel: str
    language: str | None
    shop_name: str
    subscribed: bool


def _find(s: Session, token: str) -> tuple[CampaignRecipient, Campaign, Member, Shop] | None:
    if not TOKEN.fullmatch(token):
        return None
    row = s.execute(
        select(CampaignRecipient, Campaign, Member, Shop)
        .join(Campaign, Campaign.id == CampaignRecipient.campaign_id)
        .join(Member, Member.id == CampaignRecipient.member_id)
        .join(Shop, Shop.id == CampaignRecipient.shop_id)
        .where(CampaignRecipient.link_token == token)
    ).one_or_none()
    if row is None or row.Member.status == MemberStatus.ANONYMISED:
        return None
    return row.CampaignRecipient, row.Campaign, row.Member, row.Shop


def link_target(sessions: sessionmaker[Session], token: str) -> LinkTarget | None:
    """What the link stands for, or None for a token that is not one."""
    with sessions() as s:
        found = _find(s, token)
        if found is None:
            return None
        _, campaign, member, shop = found
        return LinkTarget(
            channel=campaign.channel,
            language=member.language or shop.locale,
            shop_name=shop.name or shop.domain,
            subscribed=bool(getattr(member, f"{campaign.channel}_consent")),
        )


def unsubscribe(sessions: sessionmaker[Session], token: str) -> tuple[bool, int | None]:
    """Withdraw the consent the link stands for: (whether the token is one, the consent
    event to push to Shopify or None when there was nothing to withdraw)."""
    with sessions.begin() as s:
        found = _find(s, token)
        if found is None:
            return False, None
        _, campaign, member, shop = found
        return True, withdraw_consent(s, shop.id, member.id, campaign.channel, SOURCE)
