"""Campaigns: write one, read it with its counts, schedule it.

A campaign sends one text per language to a segment on one channel (``sms`` or ``email``).
Scheduling (:func:`schedule_campaign`) checks that sending can work (a provider for the
channel, somebody in the audience, a time not in the past); the sending itself is
:mod:`loyalty.campaigns.campaign_send`'s, run by ``jobs.campaigns``. Counts come from the
campaign's frozen audience (its recipients) and the send log's delivery reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns.campaign_text import MAX_SUBJECT, check_texts
from loyalty.campaigns.clicks import click_counts
from loyalty.campaigns.code_preparation import codes_progress
from loyalty.campaigns.offers import MEMBER_CODE, MEMBER_CODE_LENGTH, check_offer, offer_of
from loyalty.campaigns.results import redeemed, results
from loyalty.campaigns.segment_sql import count_statement
from loyalty.campaigns.segments import check_name, shop_language, stored_filter
from loyalty.core.errors import LoyaltyError, NotFound, ValidationError
from loyalty.core.ids import id_from_json
from loyalty.core.models import (
    Campaign,
    CampaignRecipient,
    CampaignState,
    MessageChannel,
    MessageStatus,
    MessagingSettings,
    RecipientState,
    Segment,
    SentMessage,
    Shop,
)
from loyalty.core.payloads import parse_time
from loyalty.core.types import utcnow

DEFAULT_ATTRIBUTION_HOURS = 72
CLOCK_SLACK = timedelta(minutes=1)
"""A send_at this little in the past is "now" (the merchant's clock and ours differ)."""
_NOT_FOUND = "This shop has no such campaign."
_FIELDS = ("name", "channel", "segment_id", "message", "subject", "offer", "attribution_hours")
MAX_ATTRIBUTION_HOURS = 720


class CampaignConflict(LoyaltyError):
    """The campaign cannot do this in its state, or the shop's setup is missing (HTTP 409)."""

    code = "campaign_conflict"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def checked_fields(
    s: Session, shop_id: int, body: Mapping[str, Any], app_url: str
) -> dict[str, Any]:
    errors = {str(k)[:100]: "Unknown field." for k in body if k not in _FIELDS}
    values: dict[str, Any] = {}
    check_name(body.get("name"), errors, values)
    channel = body.get("channel")
    if channel not in {c.value for c in MessageChannel}:
        errors["channel"] = "Choose sms or email."
    segment_id = (
        id_from_json(body.get("segment_id")) if isinstance(body.get("segment_id"), str) else None
    )
    found = (
        s.scalar(select(Segment.id).where(Segment.shop_id == shop_id, Segment.id == segment_id))
        if segment_id is not None
        else None
    )
    if found is None:
        errors["segment_id"] = "Choose one of the shop's segments (its id as a string)."
    values["segment_id"] = found
    offer = check_offer(body.get("offer"), errors)
    values["offer"] = offer.as_json() if offer is not None else None
    code = offer.longest_code() if offer is not None else None
    if body.get("offer") is not None and offer is None:
        code = "X" * MEMBER_CODE_LENGTH  # the offer is refused: check the texts as if it were not
    hours = body.get("attribution_hours", DEFAULT_ATTRIBUTION_HOURS)
    if (
        isinstance(hours, bool)
        or not isinstance(hours, int)
        or not 1 <= hours <= MAX_ATTRIBUTION_HOURS
    ):
        errors["attribution_hours"] = f"A whole number of hours from 1 to {MAX_ATTRIBUTION_HOURS}."
    values["attribution_hours"] = hours
    sms = channel == MessageChannel.SMS
    texts, problems = check_texts(
        body.get("message"), "message", sms=sms, app_url=app_url, code=code
    )
    errors.update(problems)
    values["message"] = texts
    if channel == MessageChannel.EMAIL:
        subjects, problems = check_texts(
            body.get("subject"),
            "subject",
            sms=False,
            app_url=app_url,
            max_length=MAX_SUBJECT,
            code=code,
        )
        errors.update(problems)
        values["subject"] = subjects
    elif body.get("subject") is not None:
        errors["subject"] = "Only emails have a subject."
    if errors:
        raise ValidationError(errors)
    values["channel"] = channel
    return values


def _counts(s: Session, campaign: Campaign) -> dict[str, int]:
    r, m = CampaignRecipient, SentMessage
    reported_failed = m.status.in_((MessageStatus.UNDELIVERED, MessageStatus.FAILED))
    row = s.execute(
        select(
            func.sum(case((r.state == RecipientState.SENT, 1), else_=0)),
            func.sum(
                case(
                    (and_(r.state == RecipientState.SENT, m.status == MessageStatus.DELIVERED), 1),
                    else_=0,
                )
            ),
            func.sum(
                case(
                    (r.state == RecipientState.FAILED, 1),
                    (and_(r.state == RecipientState.SENT, reported_failed), 1),
                    else_=0,
                )
            ),
            func.sum(case((r.state == RecipientState.SKIPPED, 1), else_=0)),
            func.sum(
                case((r.state.in_((RecipientState.PENDING, RecipientState.CLAIMED)), 1), else_=0)
            ),
        )
        .select_from(r)
        .outerjoin(m, m.id == r.message_id)
        .where(r.campaign_id == campaign.id)
    ).one()
    sent, delivered, failed, skipped, pending = (int(v or 0) for v in row)
    audience = campaign.audience if campaign.audience is not None else _live_audience(s, campaign)
    return {
        "audience": audience,
        "sent": sent,
        "delivered": delivered,
        "failed": failed,
        "skipped": skipped,
        "pending": pending if campaign.audience is not None else audience,
        "redeemed": redeemed(s, campaign.id),
    }


def _live_audience(s: Session, campaign: Campaign) -> int:
    """Who the campaign would reach now: the segment's members with the channel's consent."""
    if campaign.segment_id is None:
        return 0
    wanted = stored_filter(s, campaign.shop_id, campaign.segment_id)
    statement = count_statement(
        campaign.shop_id,
        wanted,
        now=utcnow(),
        default_language=shop_language(s, campaign.shop_id),
        channel=campaign.channel,
    )
    return int(s.scalar(statement) or 0)


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def campaign_json(s: Session, campaign: Campaign, *, counts: bool = True) -> dict[str, Any]:
    """One campaign as the API shows it (with its counts unless ``counts`` is False)."""
    currency = s.scalar(select(Shop.currency).where(Shop.id == campaign.shop_id))
    out: dict[str, Any] = {
        "id": str(campaign.id),
        "name": campaign.name,
        "channel": campaign.channel,
        "segment_id": str(campaign.segment_id) if campaign.segment_id else None,
        "message": campaign.message,
        "subject": campaign.subject,
        "state": campaign.state,
        "send_at": _time(campaign.send_at),
        "started_at": _time(campaign.started_at),
        "finished_at": _time(campaign.finished_at),
        "error_code": campaign.error_code,
        "offer": campaign.offer,
        "attribution_hours": campaign.attribution_hours,
        "created_at": campaign.created_at.isoformat(),
    }
    if counts:
        out["counts"] = _counts(s, campaign)
        out.update(results(s, campaign, currency or "NOK"))
        out["clicks"] = click_counts(s, campaign.id)
        offer = offer_of(campaign.offer)
        if offer is not None and offer.kind == MEMBER_CODE:
            out["codes"] = {
                "audience": out["counts"]["audience"],
                **codes_progress(s, campaign.id),
                "ready": campaign.codes_ready_at is not None,
            }
    return out


def find_campaign(s: Session, shop_id: int, campaign_id: int, *, lock: bool = False) -> Campaign:
    query = select(Campaign).where(Campaign.shop_id == shop_id, Campaign.id == campaign_id)
    row = s.scalars(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(_NOT_FOUND)
    return row


def list_campaigns(sessions: sessionmaker[Session], shop_id: int) -> list[dict[str, Any]]:
    """The shop's campaigns, newest first, without counts."""
    with sessions() as s:
        rows = s.scalars(
            select(Campaign).where(Campaign.shop_id == shop_id).order_by(Campaign.id.desc())
        ).all()
        return [campaign_json(s, r, counts=False) for r in rows]


def create_campaign(
    sessions: sessionmaker[Session], shop_id: int, body: Mapping[str, Any], *, app_url: str
) -> dict[str, Any]:
    """Check and store a draft campaign; ValidationError naming every bad field."""
    with sessions.begin() as s:
        row = Campaign(
            shop_id=shop_id, state=CampaignState.DRAFT, **checked_fields(s, shop_id, body, app_url)
        )
        s.add(row)
        s.flush()
        return campaign_json(s, row)


def read_campaign(
    sessions: sessionmaker[Session], shop_id: int, campaign_id: int
) -> dict[str, Any]:
    """One of the shop's campaigns with its counts."""
    with sessions() as s:
        return campaign_json(s, find_campaign(s, shop_id, campaign_id))


def schedule_campaign(
    sessions: sessionmaker[Session],
    shop_id: int,
    campaign_id: int,
    body: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Schedule a draft (or move a scheduled one): ``{"send_at": iso-8601 | null}``, null = now.

    Raises ValidationError (a time in the past, nobody to send to) or CampaignConflict (sending
    already, or no provider for the channel).
    """
    now = now or utcnow()
    unknown = {str(k)[:100]: "Unknown field." for k in body if k != "send_at"}
    if unknown or "send_at" not in body:
        raise ValidationError(
            {**unknown, **({} if "send_at" in body else {"send_at": "Required."})}
        )
    raw = body["send_at"]
    send_at = (
        now if raw is None else parse_time(raw) if isinstance(raw, str) and len(raw) <= 40 else None
    )
    if send_at is None:
        raise ValidationError({"send_at": "Enter a date and time in ISO 8601, or null for now."})
    if send_at < now - CLOCK_SLACK:
        raise ValidationError({"send_at": "Choose a time that is not in the past."})
    with sessions.begin() as s:
        campaign = find_campaign(s, shop_id, campaign_id, lock=True)
        if campaign.state not in (CampaignState.DRAFT, CampaignState.SCHEDULED):
            raise CampaignConflict("not_schedulable", "The campaign is sending or sent already.")
        configured = s.get(MessagingSettings, (shop_id, campaign.channel))
        if configured is None:
            raise CampaignConflict("not_configured", "No provider is set up for this channel.")
        if campaign.segment_id is None:
            raise ValidationError({"segment_id": "The campaign's segment was deleted."})
        if _live_audience(s, campaign) == 0:
            raise ValidationError(
                {"segment_id": "Nobody in the segment has consented to this channel."},
                "Nobody to send to.",
            )
        offer = offer_of(campaign.offer)
        if offer is not None and offer.starts_at is not None and offer.starts_at < send_at:
            raise ValidationError(
                {"offer.starts_at": "The double points may not start before the campaign is sent."}
            )
        campaign.send_at = max(send_at, now)
        campaign.state = CampaignState.SCHEDULED
        s.flush()
        return campaign_json(s, campaign)
