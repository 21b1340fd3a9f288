"""Klubb's periodic jobs, registered with RQ's own cron scheduler.

Run exactly one scheduler per Redis, from the repository root, with the app's environment::

    python -m jobs.scheduler         # reads REDIS_URL (jobs/scheduler.py)

RQ's cron scheduler imports this module and picks up every ``cron.register(...)`` call below
(RQ's documented configuration file; ``rq cron jobs.schedule`` reads it the same way, without
surviving a Redis outage); it only enqueues, and ``flask --app app worker`` runs the jobs.
To add a periodic job, append a :class:`Periodic` to :data:`PERIODIC` whose function is an
importable module-level job (it reads the worker's runtime with
:func:`runtime.current_runtime`) taking no personal data as arguments: ids and settings only,
usually nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rq import cron

from jobs import birthdays as birthday_jobs
from jobs import campaigns as campaign_jobs
from jobs import engine as engine_jobs
from jobs import imports as import_jobs
from jobs import referrals as referral_jobs
from jobs import retention as retention_jobs
from jobs import rollups as rollup_jobs
from jobs import tiers as tier_jobs
from jobs import vouchers as voucher_jobs
from jobs.redemptions import check_free_products, maintain_redemptions
from runtime import DEFAULT_JOB_TIMEOUT


def refresh_expiring_tokens() -> dict[str, int]:
    """Refresh every installed shop's access token that expires soon (see ``loyalty.shopify.shops``)."""
    from loyalty.shopify import shops
    from runtime import current_runtime, shopify_client, token_cipher, token_lock

    rt = current_runtime()
    # The same per-shop lock as the web's refreshes: a refresh token is spent only once.
    summary = shops.refresh_expiring_tokens(
        rt.sessions, token_cipher(), shopify_client(), token_lock(rt)
    )
    return {"refreshed": len(summary.refreshed), "failed": len(summary.failed)}


def sweep_outbox() -> int:
    """Re-enqueue webhook events recorded but not processed after a minute (invariant 3)."""
    from jobs import sweeper

    return sweeper.sweep_outbox()


def sweep_pending_pushes() -> int:
    """Enqueue member changes (consents, profile fields) Shopify has not been told of yet."""
    from jobs import sweeper

    return sweeper.sweep_pending_pushes()


SWEEPERS = (sweep_outbox, sweep_pending_pushes)
"""The safety nets that run every ``OUTBOX_SWEEP_SECONDS`` (jobs.scheduler sets their interval)."""


@dataclass(frozen=True)
class Periodic:
    """One periodic job: what to run, on which queue, how often (seconds or a cron string)."""

    func: Callable[[], Any]
    queue: str
    interval: int | None = None
    cron: str | None = None
    timeout: int = DEFAULT_JOB_TIMEOUT


PERIODIC: tuple[Periodic, ...] = (
    # Access tokens live an hour; refresh those expiring within ten minutes, every five.
    Periodic(refresh_expiring_tokens, queue="shopify", interval=5 * 60),
    # The outbox's safety net: events left behind by a Redis outage or a killed worker.
    Periodic(sweep_outbox, queue="webhooks", interval=60),
    # The same for consent and profile pushes to Shopify that a Redis outage left behind.
    Periodic(sweep_pending_pushes, queue="shopify", interval=60),
    # Reservations a crash left behind get their code or their points back; old codes expire.
    Periodic(maintain_redemptions, queue="shopify", interval=5 * 60),
    # Free-product rewards follow their variant's price, or pause when it changes or is deleted.
    Periodic(check_free_products, queue="shopify", interval=3600),
    # Retention (loyalty.privacy.retention): hourly, each sweep bounded, the next run goes on.
    Periodic(retention_jobs.anonymise_inactive_members, queue="privacy", interval=3600),
    Periodic(retention_jobs.erase_old_webhook_bodies, queue="privacy", interval=3600),
    Periodic(retention_jobs.delete_old_exports, queue="privacy", interval=3600),
    Periodic(retention_jobs.delete_old_audit_entries, queue="privacy", interval=3600),
    # Points expiry (loyalty.points.expiry): hourly, bounded per shop; a run posts each period once.
    Periodic(engine_jobs.expire_points, queue="webhooks", interval=3600, timeout=300),
    # Birthday rewards (loyalty.club.birthdays): hourly, since each shop's day starts at its own
    # hour of UTC; a reward is given once per customer and year however often it runs.
    Periodic(birthday_jobs.pay_birthdays, queue="webhooks", interval=3600, timeout=300),
    # Referrals (loyalty.club.referral_payouts): hourly; referrers paid once the friend's first
    # order stood through the waiting period, whatever order the webhooks came in.
    Periodic(referral_jobs.settle_referrals, queue="webhooks", interval=3600, timeout=300),
    # Invariant 1 for every member, daily (and at scheduler start); drift is logged as counts.
    Periodic(engine_jobs.reconcile_balances, queue="webhooks", interval=86400, timeout=300),
    # Welcome codes of members from before revision 0016, looked up in Shopify until none is left.
    Periodic(
        engine_jobs.check_earlier_welcome_codes, queue="shopify", interval=5 * 60, timeout=300
    ),
    # Analytics: orders recorded before customer keys (0005) join their customers' days.
    Periodic(rollup_jobs.key_recorded_orders, queue="webhooks", interval=86400, timeout=300),
    # Campaigns due (scheduled, or sending and not waiting) are queued; the database holds
    # the schedule, so a flushed Redis loses none (jobs.campaigns).
    Periodic(campaign_jobs.start_due_campaigns, queue="campaigns", interval=60),
    # VIP tiers: each shop's night (3 o'clock its time) gets a recompute job: roll-over, rewards.
    Periodic(tier_jobs.recompute_all_tiers, queue="webhooks", interval=3600),
    # Spend vouchers out of line in Shopify whose job Redis lost (the vouchers table is the outbox).
    Periodic(voucher_jobs.sweep_vouchers, queue="shopify", interval=5 * 60),
    # Imports: runs (their rows quote emails from the merchant's file) past their retention.
    Periodic(import_jobs.purge_import_runs, queue="privacy", interval=86400, timeout=300),
)
"""Every periodic job. An interval job also runs once as soon as the scheduler starts."""


for periodic in PERIODIC:
    cron.register(
        periodic.func,
        queue_name=periodic.queue,
        interval=periodic.interval,
        cron=periodic.cron,
        job_timeout=periodic.timeout,
    )
