"""The ``campaigns`` queue: sending a campaign, and the sweep that starts and resumes them.

A campaign's sending is one job, ``campaign-<id>`` (:func:`send_campaign`), queued once at a
time (``enqueue_once``): when the merchant schedules it for now, and by :func:`start_due_campaigns`,
a periodic job (``jobs/schedule.py``, every minute) that queues every campaign due: scheduled
with ``send_at`` passed, or sending and not waiting (``resume_at`` passed or none). The
database holds the schedule, not Redis: a flushed Redis loses no campaign, the next sweep
queues it again (the same rule as the webhook outbox's), and a worker killed in the middle is
resumed the same way once RQ marks its job failed. Resuming never messages a member twice
(:mod:`loyalty.campaigns.campaign_send`).

A campaign whose offer has codes also has a codes job, ``campaign-codes-<id>``
(:func:`prepare_codes`): queued when it is scheduled, and by the sweep while its codes are not
ready; it makes them in Shopify ahead of the send time at the pace Shopify's throttle allows
(the client waits when Shopify says so), for at most ten minutes a run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import or_, select

from jobs.engine import issue_code
from jobs.queueing import DEAD, QueueUnavailable, enqueue_once
from jobs.shopify_sync import enqueue_consent_push
from loyalty.campaigns.campaign_codes import Shopify
from loyalty.campaigns.campaign_send import Progress, Sender, run_campaign
from loyalty.campaigns.code_preparation import prepare_codes as prepare
from loyalty.campaigns.offers import offer_of
from loyalty.core.models import Campaign, CampaignState
from loyalty.core.types import utcnow
from runtime import Runtime, current_runtime, shop_access_token, shopify_client

log = logging.getLogger(__name__)

QUEUE = "campaigns"
JOB_TIMEOUT = 3600
"""Seconds for one run: thousands of messages at the provider's pace."""


def campaign_job_id(campaign_id: int) -> str:
    """The one job that sends a campaign (one at a time)."""
    return f"campaign-{campaign_id}"


def enqueue_campaign(rt: Runtime, campaign_id: int) -> bool:
    """Queue the campaign's sending unless it is queued or running; False when Redis did not
    take it (the sweep queues it within a minute)."""
    return _enqueue(rt, send_campaign, campaign_id, campaign_job_id(campaign_id))


def _enqueue(rt: Runtime, job: Callable[[int], str], campaign_id: int, job_id: str) -> bool:
    try:
        return enqueue_once(
            rt, QUEUE, job, campaign_id, job_id=job_id, replace=DEAD, timeout=JOB_TIMEOUT
        )
    except QueueUnavailable:
        log.warning("%s not enqueued: Redis unavailable; the sweep retries", job_id)
        return False


def send_campaign(campaign_id: int) -> str:
    """Send what is left of the campaign now; where it stands (``Progress``)."""
    rt = current_runtime()
    sender = Sender(
        rt.sessions,
        rt.token_cipher,
        rt.config,
        on_consent_withdrawn=lambda event_id: enqueue_consent_push(rt, event_id),
        shopify=Shopify(shopify_client(), shop_access_token),
    )
    progress = run_campaign(sender, campaign_id)
    if progress in (Progress.DONE, Progress.STOPPED, Progress.DEFERRED):
        log.info("campaign %s: %s", campaign_id, progress.value)
    return progress.value


def due_campaigns(rt: Runtime) -> list[int]:
    """Campaigns whose sending should run now."""
    now = utcnow()
    with rt.sessions() as s:
        return list(
            s.scalars(
                select(Campaign.id).where(
                    or_(
                        (Campaign.state == CampaignState.SCHEDULED) & (Campaign.send_at <= now),
                        (Campaign.state == CampaignState.SENDING)
                        & (Campaign.resume_at.is_(None) | (Campaign.resume_at <= now)),
                    )
                )
            )
        )


def codes_job_id(campaign_id: int) -> str:
    """The one job that makes a campaign's codes (one at a time)."""
    return f"campaign-codes-{campaign_id}"


def enqueue_codes(rt: Runtime, campaign_id: int) -> bool:
    """Queue the campaign's codes job unless it is queued or running; False when Redis did
    not take it (the sweep queues it within a minute)."""
    return _enqueue(rt, prepare_codes, campaign_id, codes_job_id(campaign_id))


def prepare_codes(campaign_id: int) -> str:
    """Make the campaign's discount codes in Shopify ahead of its sending (``ready``, ``more``
    or ``skipped``); a shop gone or a refusal ends the job, outages raise for RQ's retry."""
    rt = current_runtime()
    shopify = Shopify(shopify_client(), shop_access_token)
    return issue_code(
        f"codes of campaign {campaign_id}", lambda: prepare(rt.sessions, shopify, campaign_id)
    )


def codes_due(rt: Runtime) -> list[int]:
    """Scheduled campaigns with codes to make that are not ready yet."""
    with rt.sessions() as s:
        rows = s.execute(
            select(Campaign.id, Campaign.offer).where(
                Campaign.state == CampaignState.SCHEDULED,
                Campaign.offer.is_not(None),
                Campaign.codes_ready_at.is_(None),
            )
        ).all()
    return [row.id for row in rows if (offer := offer_of(row.offer)) and offer.has_code]


def start_due_campaigns() -> int:
    """Queue every due campaign's sending (one job each at a time), and the codes jobs of
    campaigns whose codes are not ready; how many sendings were queued."""
    rt = current_runtime()
    for campaign_id in codes_due(rt):
        enqueue_codes(rt, campaign_id)
    return sum(1 for campaign_id in due_campaigns(rt) if enqueue_campaign(rt, campaign_id))
