"""Sending a campaign: the audience frozen once, then each member claimed before their message.

:func:`run_campaign` is what the ``campaigns`` job runs, and what it runs again after a crash,
a pause or quiet hours; every run picks up where the last stopped:

1. A due ``scheduled`` campaign becomes ``sending``, its audience frozen in one statement: a
   :class:`~loyalty.core.models.CampaignRecipient` per member of the segment who has the
   channel's consent and a contact (``pending``); unique per (campaign, member).
2. Claims a previous run left (``claimed``: the process died around a send) are settled from
   the send log: the provider took it → ``sent``; a row still ``sending`` (it may have gone)
   → ``failed``, reason ``interrupted``, never sent again; no row (nothing went) → ``pending``.
3. Quiet hours (SMS): inside them the run stops and the campaign waits (``resume_at``): the
   members are deferred, not skipped.
4. Pending members in batches, each *claimed* (``pending`` → ``claimed``, a committed
   conditional update) before its message goes: two runs cannot both claim one member, and a
   claimed member is never sent to again. Then consent, status and contact are checked afresh
   (skipped with a reason: ``no_consent``, ``not_active``, ``invalid_number``,
   ``invalid_email``), and the message goes through :mod:`loyalty.campaigns.sending` with the
   campaign's id in the send log.

A provider that does not answer pauses the campaign for a while (the member goes back to
``pending`` unless the message may have gone); credentials or a sender the provider refuses
stop it (``failed``, ``error_code`` says why): nothing is retried until the merchant acts.
The recipients' states (freezing, settling, claiming, marking) are :mod:`loyalty.campaigns.audience`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns import campaign_states, sending
from loyalty.campaigns.audience import claim, freeze_audience, mark, mark_in, settle_claims
from loyalty.campaigns.campaign_codes import Shopify
from loyalty.campaigns.campaign_text import Recipient, campaign_email, link_url, sms_body
from loyalty.campaigns.credentials import NotConfigured
from loyalty.campaigns.offer_grants import CodeUnavailable, NoCode, code_for, grant, grant_all
from loyalty.campaigns.offers import Offer, offer_of
from loyalty.campaigns.phones import PhoneRefused, to_e164
from loyalty.campaigns.providers import ProviderUnavailable, SetupRefused
from loyalty.campaigns.quiet_hours import QuietHours, next_allowed_send
from loyalty.campaigns.segments import shop_language
from loyalty.campaigns.send_log import error_code
from loyalty.campaigns.settings_rules import email_address
from loyalty.core.config import Config
from loyalty.core.models import (
    Campaign,
    CampaignRecipient,
    CampaignState,
    Member,
    MemberStatus,
    MessageChannel,
    ProgramSettings,
    RecipientState,
    Shop,
)
from loyalty.core.types import utcnow
from loyalty.shopify.tokens import TokenCipher

BATCH = 100
PAUSE = timedelta(seconds=60)
"""How long a campaign waits when its provider did not answer (or asked us to wait)."""


class Progress(StrEnum):
    """Where a run left the campaign."""

    NOT_DUE = "not_due"  # not scheduled yet, or waiting (quiet hours, a pause)
    DEFERRED = "deferred"  # waits for resume_at
    DONE = "done"  # every member sent, failed or skipped
    STOPPED = "stopped"  # the provider refused the setup: failed
    IDLE = "idle"  # not a campaign to send (draft, sent, failed, gone)
    PAUSED = "paused"  # the merchant paused it: the run stopped between two batches


@dataclass(frozen=True)
class Sender:
    """What a run needs from outside: sessions, the cipher for credentials, the config, a clock."""

    sessions: sessionmaker[Session]
    cipher: TokenCipher
    config: Config
    clock: Callable[[], datetime] = utcnow
    on_consent_withdrawn: Callable[[int], object] = lambda _event_id: None
    """Told the id of a consent event a provider's opt-out wrote (to push it to Shopify)."""
    shopify: Shopify | None = None
    """Shopify, for the codes of a campaign's offer (made as messages go if not yet)."""


@dataclass(frozen=True)
class _Context:
    campaign_id: int
    shop_id: int
    channel: str
    message: dict[str, str]
    subject: dict[str, str] | None
    default_language: str
    quiet: QuietHours | None
    timezone: str
    offer: Offer | None = None


def run_campaign(sender: Sender, campaign_id: int, *, batch: int = BATCH) -> Progress:
    """Send what is left of the campaign now (see the module's docstring); where it stands."""
    started = _start(sender, campaign_id)
    if isinstance(started, Progress):
        return started
    context = started
    while True:
        now = sender.clock()
        if context.channel == MessageChannel.SMS:
            allowed = next_allowed_send(now, context.quiet, context.timezone)
            if allowed > now:
                return _wait(sender, campaign_id, allowed)
        with sender.sessions() as s:
            ids = s.scalars(
                select(CampaignRecipient.id)
                .where(
                    CampaignRecipient.campaign_id == campaign_id,
                    CampaignRecipient.state == RecipientState.PENDING,
                )
                .order_by(CampaignRecipient.id)
                .limit(batch)
            ).all()
        if not ids:
            return _finish(sender, campaign_id)
        for recipient_id in ids:
            if not campaign_states.is_sending(sender.sessions, campaign_id):
                return Progress.PAUSED  # the merchant paused it
            outcome = _send_one(sender, context, recipient_id)
            if outcome is not None:
                return outcome


def _start(sender: Sender, campaign_id: int) -> _Context | Progress:
    """Freeze the audience of a due campaign, settle stale claims; the run's context."""
    now = sender.clock()
    with sender.sessions.begin() as s:
        campaign = s.get(Campaign, campaign_id, with_for_update=True)
        if campaign is None or campaign.state not in (
            CampaignState.SCHEDULED,
            CampaignState.SENDING,
        ):
            return Progress.IDLE
        if campaign.state == CampaignState.SCHEDULED:
            if campaign.send_at is None or campaign.send_at > now:
                return Progress.NOT_DUE
            freeze_audience(s, campaign, now)
        elif campaign.resume_at is not None and campaign.resume_at > now:
            return Progress.NOT_DUE
        campaign.resume_at = None
        settle_claims(s, campaign_id)
        shop = s.get(Shop, campaign.shop_id)
        settings = s.get(ProgramSettings, campaign.shop_id)
        quiet = {"start": "21:00", "end": "08:00"} if settings is None else settings.quiet_hours
        return _Context(
            campaign_id=campaign.id,
            shop_id=campaign.shop_id,
            channel=campaign.channel,
            message=dict(campaign.message),
            subject=dict(campaign.subject) if campaign.subject else None,
            default_language=shop_language(s, campaign.shop_id),
            quiet=QuietHours.from_settings(quiet),
            timezone=shop.timezone if shop is not None else "UTC",
            offer=offer_of(campaign.offer),
        )


def _wait(sender: Sender, campaign_id: int, until: datetime) -> Progress:
    campaign_states.wait(sender.sessions, campaign_id, until)
    return Progress.DEFERRED


def _finish(sender: Sender, campaign_id: int) -> Progress:
    grant_all(sender.sessions, campaign_id, sender.clock())
    campaign_states.finish(sender.sessions, campaign_id, sender.clock())
    return Progress.DONE


def _stop(sender: Sender, campaign_id: int, code: str) -> Progress:
    campaign_states.stop(sender.sessions, campaign_id, code, sender.clock())
    return Progress.STOPPED


def _mark(
    sender: Sender,
    recipient_id: int,
    state: RecipientState,
    reason: str | None = None,
    message_id: int | None = None,
) -> None:
    mark(sender.sessions, recipient_id, sender.clock(), state, reason, message_id)


def _send_one(sender: Sender, context: _Context, recipient_id: int) -> Progress | None:
    """Claim, check and send one member's message; a Progress when the run must stop."""
    if not claim(sender.sessions, recipient_id, sender.clock()):
        return None
    with sender.sessions() as s:
        row = s.get(CampaignRecipient, recipient_id)
        member = s.get(Member, row.member_id) if row is not None else None
        if row is None or member is None:
            return None
        token = row.link_token or ""
        s.expunge(member)
    sms = context.channel == MessageChannel.SMS
    if member.status != MemberStatus.ACTIVE:
        _mark(sender, recipient_id, RecipientState.SKIPPED, "not_active")
        return None
    if not (member.sms_consent if sms else member.email_consent):
        _mark(sender, recipient_id, RecipientState.SKIPPED, "no_consent")
        return None
    try:
        to = to_e164(member.phone) if sms else email_address(member.email)
    except (PhoneRefused, ValueError):
        _mark(
            sender,
            recipient_id,
            RecipientState.SKIPPED,
            "invalid_number" if sms else "invalid_email",
        )
        return None
    try:
        code = code_for(
            sender.sessions, sender.shopify, context.campaign_id, context.offer, member.id
        )
    except NoCode as refused:
        if not refused.member:
            _mark(sender, recipient_id, RecipientState.PENDING)
            return _stop(sender, context.campaign_id, refused.code)
        _mark(sender, recipient_id, RecipientState.SKIPPED, "no_code")
        return None
    except CodeUnavailable as err:
        _mark(sender, recipient_id, RecipientState.PENDING)
        if err.transient:
            return _wait(sender, context.campaign_id, sender.clock() + PAUSE)
        return _stop(sender, context.campaign_id, err.code)
    language = member.language if member.language in context.message else context.default_language
    recipient = Recipient(
        member.first_name,
        member.points_balance,
        language,
        link_url(sender.config.app_url, token),
        code,
    )
    try:
        outcome = _deliver(sender, context, member.id, to, recipient)
    except NotConfigured:
        _mark(sender, recipient_id, RecipientState.PENDING)
        return _stop(sender, context.campaign_id, NotConfigured.code)
    error = outcome.error
    if error is None:
        now = sender.clock()
        with sender.sessions.begin() as s:
            mark_in(s, recipient_id, now, RecipientState.SENT, None, outcome.message_id)
            grant(s, s.get(Campaign, context.campaign_id), member.id, now)
        return None
    if outcome.consent_event_id is not None:
        sender.on_consent_withdrawn(outcome.consent_event_id)
    if isinstance(error, ProviderUnavailable):
        if error.maybe_sent:  # it may have gone: never again
            _mark(sender, recipient_id, RecipientState.FAILED, "maybe_sent", outcome.message_id)
        else:
            _mark(sender, recipient_id, RecipientState.PENDING)
        pause = timedelta(seconds=error.retry_after) if error.retry_after else PAUSE
        return _wait(sender, context.campaign_id, sender.clock() + max(pause, PAUSE))
    if isinstance(error, SetupRefused):
        _mark(sender, recipient_id, RecipientState.PENDING)
        return _stop(sender, context.campaign_id, error.code)
    _mark(sender, recipient_id, RecipientState.FAILED, error_code(error), outcome.message_id)
    return None


def _deliver(
    sender: Sender, context: _Context, member_id: int, to: str, recipient: Recipient
) -> sending.Outcome:
    template = context.message[recipient.language]
    if context.channel == MessageChannel.SMS:
        return sending.send_sms(
            sender.sessions,
            sender.cipher,
            sender.config,
            context.shop_id,
            to=to,
            text=sms_body(template, recipient),
            member_id=member_id,
            campaign_id=context.campaign_id,
        )
    subject = (context.subject or {}).get(recipient.language, "")
    message = campaign_email(to, template, subject, recipient)
    return sending.send_email(
        sender.sessions,
        sender.cipher,
        sender.config,
        context.shop_id,
        message,
        member_id=member_id,
        campaign_id=context.campaign_id,
    )
