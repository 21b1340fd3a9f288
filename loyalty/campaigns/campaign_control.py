"""A campaign before and while it goes: its preview, a test message, pause and resume.

The preview renders the message per language for a sample member (the first of the audience
in that language, else an example), with its SMS length (GSM-7 or UCS-2, segments:
:mod:`loyalty.campaigns.sms_text`) and a cost estimate: the audience in each language times
its segments times a price per segment (the shop's currency; :data:`SEGMENT_PRICE` unless the
merchant gives theirs: providers' prices differ by country and contract).

Pausing stops the sending between two messages (:mod:`loyalty.campaigns.campaign_send`
checks before each); resuming lets the next run go on where it stopped, messaging nobody
twice (the claims see to it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns.campaign_text import LANGUAGES, Recipient, longest_link, render, sms_body
from loyalty.campaigns.campaigns import (
    CampaignConflict,
    campaign_json,
    checked_fields,
    find_campaign,
)
from loyalty.campaigns.offers import MEMBER_CODE_LENGTH, Offer, offer_of
from loyalty.campaigns.segment_sql import count_statement, segment_select
from loyalty.campaigns.segments import shop_language, stored_filter
from loyalty.campaigns.sms_text import sms_length
from loyalty.core.errors import ValidationError
from loyalty.core.models import CampaignState, Member, MessageChannel, Shop
from loyalty.core.money import parse_amount, quantize
from loyalty.core.types import utcnow

SEGMENT_PRICE = Decimal("0.50")
"""The price of one SMS segment assumed for the estimate, in the shop's currency (about what
Norwegian gateways charge; the merchant may give theirs)."""
EXAMPLE = {"nb": "Kari", "en": "Emma"}
EXAMPLE_POINTS = 250
EXAMPLE_CODE = "KLUBB-" + "X" * (MEMBER_CODE_LENGTH - len("KLUBB-"))


@dataclass(frozen=True)
class Sample:
    """Who a preview or a test message is rendered for."""

    first_name: str | None
    points: int
    example: bool


def pause_campaign(
    sessions: sessionmaker[Session], shop_id: int, campaign_id: int
) -> dict[str, Any]:
    """A scheduled or sending campaign stops (``paused``); 409 otherwise."""
    with sessions.begin() as s:
        campaign = find_campaign(s, shop_id, campaign_id, lock=True)
        if campaign.state not in (CampaignState.SCHEDULED, CampaignState.SENDING):
            raise CampaignConflict("not_pausable", "Only a scheduled or sending campaign pauses.")
        campaign.state = CampaignState.PAUSED
        s.flush()
        return campaign_json(s, campaign)


def resume_campaign(
    sessions: sessionmaker[Session], shop_id: int, campaign_id: int
) -> dict[str, Any]:
    """A paused campaign goes on: sending again if it had started, else scheduled."""
    with sessions.begin() as s:
        campaign = find_campaign(s, shop_id, campaign_id, lock=True)
        if campaign.state != CampaignState.PAUSED:
            raise CampaignConflict("not_paused", "The campaign is not paused.")
        started = campaign.audience is not None
        campaign.state = CampaignState.SENDING if started else CampaignState.SCHEDULED
        campaign.resume_at = None
        s.flush()
        return campaign_json(s, campaign)


def _sample(
    s: Session, shop_id: int, segment_id: int | None, channel: str, language: str
) -> Sample:
    wanted = stored_filter(s, shop_id, segment_id) if segment_id is not None else None
    if wanted is not None and wanted.language in (None, language):
        wanted = dataclasses.replace(wanted, language=language)
        statement = (
            segment_select(
                [Member.first_name, Member.points_balance],
                shop_id,
                wanted,
                now=utcnow(),
                default_language=shop_language(s, shop_id),
                channel=channel,
            )
            .order_by(Member.id)
            .limit(1)
        )
        found = s.execute(statement).first()
        if found is not None and found.first_name:
            return Sample(found.first_name, int(found.points_balance), example=False)
    return Sample(EXAMPLE[language], EXAMPLE_POINTS, example=True)


def _audience_in(
    s: Session, shop_id: int, segment_id: int | None, channel: str, language: str
) -> int:
    if segment_id is None:
        return 0
    wanted = stored_filter(s, shop_id, segment_id)
    if wanted.language not in (None, language):
        return 0
    statement = count_statement(
        shop_id,
        dataclasses.replace(wanted, language=language),
        now=utcnow(),
        default_language=shop_language(s, shop_id),
        channel=channel,
    )
    return int(s.scalar(statement) or 0)


def example_code(offer: Offer | None) -> str | None:
    """The code a preview shows: the shared code, or an example of a member's own."""
    if offer is None or not offer.has_code:
        return None
    return offer.code or EXAMPLE_CODE


def render_for(
    values: Mapping[str, Any], language: str, sample: Sample, link: str
) -> dict[str, Any]:
    """The message (and subject) as ``sample`` would get it, with its SMS length."""
    offer = offer_of(values.get("offer"))
    recipient = Recipient(sample.first_name, sample.points, language, link, example_code(offer))
    template = values["message"][language]
    if values["channel"] == MessageChannel.SMS:
        text = sms_body(template, recipient)
        length = sms_length(text)
        return {
            "text": text,
            "characters": length.characters,
            "encoding": length.encoding.value,
            "segments": length.segments,
        }
    subject = (values.get("subject") or {}).get(language, "")
    return {"text": render(template, recipient), "subject": render(subject, recipient)}


def preview(
    sessions: sessionmaker[Session],
    shop_id: int,
    body: Mapping[str, Any],
    *,
    app_url: str,
) -> dict[str, Any]:
    """The campaign in ``body`` (as to ``POST /api/campaigns``; ``name`` optional, and
    ``price_per_segment``) rendered per language, with the audience and a cost estimate."""
    fields = {k: v for k, v in body.items() if k != "price_per_segment"}
    if not isinstance(fields.get("name"), str) or not fields["name"].strip():
        fields["name"] = "Preview"  # a campaign not named yet previews all the same
    with sessions() as s:
        currency = s.scalar(select(Shop.currency).where(Shop.id == shop_id)) or "NOK"
        price = SEGMENT_PRICE
        if body.get("price_per_segment") is not None:
            given = parse_amount(body["price_per_segment"])
            if given is None or given < 0 or given > 100:
                raise ValidationError(
                    {"price_per_segment": "A price from 0 to 100 in the shop's currency."}
                )
            price = given
        values = checked_fields(s, shop_id, fields, app_url)
        languages: dict[str, Any] = {}
        total_segments = 0
        for language in LANGUAGES:
            sample = _sample(s, shop_id, values["segment_id"], values["channel"], language)
            rendered = render_for(values, language, sample, longest_link(app_url))
            audience = _audience_in(s, shop_id, values["segment_id"], values["channel"], language)
            total_segments += audience * int(rendered.get("segments", 0))
            languages[language] = {**rendered, "recipients": audience, "example": sample.example}
    out: dict[str, Any] = {"languages": languages}
    if values["channel"] == MessageChannel.SMS:
        out["cost"] = {
            "segments": total_segments,
            "price_per_segment": {"amount": str(price), "currency": currency},
            "amount": str(quantize(price * total_segments, currency)),
            "currency": currency,
        }
    return out


def test_message(
    sessions: sessionmaker[Session], shop_id: int, campaign_id: int, language: str, app_url: str
) -> tuple[str, dict[str, Any]]:
    """The campaign's channel and its message in ``language`` for an example member, as the
    merchant's test message (``{"text"}``, and ``{"subject"}`` for an email)."""
    if language not in LANGUAGES:
        raise ValidationError({"language": "Choose nb or en."})
    with sessions() as s:
        campaign = find_campaign(s, shop_id, campaign_id)
        values = {
            "channel": campaign.channel,
            "message": campaign.message,
            "subject": campaign.subject,
            "offer": campaign.offer,
        }
        sample = Sample(EXAMPLE[language], EXAMPLE_POINTS, example=True)
        return campaign.channel, render_for(values, language, sample, longest_link(app_url))
