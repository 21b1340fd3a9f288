"""The points engine's jobs beyond the webhooks themselves, thin over ``loyalty/``.

On the ``shopify`` queue, carrying a member id only:

- :func:`issue_welcome_code` — the member's one-use welcome code (``loyalty.points.welcome``), queued by
  :func:`welcome_newcomer` under the job id ``welcome-{member}`` whichever way the member joined
  (customers/create or /update, a first order, the widget's join); the job itself is idempotent
  (it looks its deterministic code up in Shopify first), so a duplicate delivery, two paths
  racing or a retry make one code.
- :func:`sync_balance` — the balance metafield and member tag (``loyalty.shopify.metafields``): the tag
  on while the member is active, off while restricted.
  Coalesced: :func:`enqueue_balance_sync` keeps at most one job *waiting* per member (job ids
  ``balance-{member}-a`` / ``-b``: while one runs, the other may wait), and the job reads the
  balance when it runs, under a per-member lock. What was last written (balance and tag) is
  remembered in Redis so a change that moved nothing costs no call to Shopify.

Periodic (``jobs.schedule``): :func:`expire_points` and :func:`reconcile_balances` (drift of
invariant 1, reported as counts only), and :func:`check_earlier_welcome_codes` (the welcome codes
of members who joined before they were recorded, looked up in Shopify). :func:`requeue_failed_event` backs the admin's retry.

Shopify's THROTTLED and 5xx are retried inside the client, then raised so RQ's retry
(:data:`jobs.queueing.RETRY_SHOPIFY`) tries again later; refusals a retry cannot fix end the job with a log line of error codes.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from rq.job import JobStatus

from jobs.queueing import (
    DEAD,
    RETRY_SHOPIFY,
    QueueUnavailable,
    delete_job_if,
    enqueue_once,
    job_status,
)

if TYPE_CHECKING:
    from datetime import datetime

    from runtime import Runtime

log = logging.getLogger(__name__)

QUEUE = "shopify"
JOB_TIMEOUT = 60
SYNCED_TTL = 86400
WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
EARLIER_WELCOME_BATCH = 500
EARLIER_WELCOME_SECONDS = 120.0
"""Members from before revision 0016 looked up per run at most, and for how long."""


def _synced_key(member_id: int) -> str:
    return f"klubb:balance-synced:{member_id}"


def issue_welcome_code(member_id: int) -> str:
    """Create the member's welcome code in Shopify once and record it (``welcome_codes``);
    ``created``/``exists``/``skipped``."""
    from loyalty.points import welcome
    from loyalty.privacy.compliance import customer_hash_key
    from runtime import current_runtime, shop_access_token, shopify_client

    rt = current_runtime()
    return issue_code(
        f"welcome code for member {member_id}",
        lambda: welcome.issue_welcome_code(
            rt.sessions,
            shopify_client(),
            shop_access_token,
            member_id,
            key=customer_hash_key(rt.config),
        ),
    )


def enqueue_code_job(rt: Runtime, func: str, row_id: int, job_id: str) -> None:
    """Queue a one-code job (``func(row_id)`` on the ``shopify`` queue, made through
    :func:`issue_code`) unless one is waiting or running; a finished or failed one is replaced
    (its row is still pending, so it is not done). Redis down: logged, the next run queues it."""
    try:
        enqueue_once(
            rt,
            QUEUE,
            func,
            row_id,
            job_id=job_id,
            replace=DEAD,
            retry=RETRY_SHOPIFY,
            timeout=JOB_TIMEOUT,
            result_ttl=0,
        )
    except QueueUnavailable as err:
        log.warning("%s not enqueued (%s); the next run queues it", job_id, err)


def issue_code(what: str, create: Callable[[], str]) -> str:
    """Run ``create`` (a discount code made in Shopify once: ``created``/``exists``/``skipped``)
    as a job does: a shop gone or without a token and a discount Shopify refuses end the job
    with a warning (no retry can help); throttling and outages raise, so RQ retries."""
    from loyalty.rewards.discount_codes import DiscountRejected
    from loyalty.shopify.shops import ShopNotInstalled, TokenUnavailable

    try:
        outcome = create()
    except (ShopNotInstalled, TokenUnavailable) as err:
        log.warning("%s skipped: %s", what, err.code)
        return "shop not installed"
    except DiscountRejected as err:
        log.warning("%s refused (%s)", what, ",".join(err.codes))
        return "refused"
    log.info("%s: %s", what, outcome)
    return outcome


def check_earlier_welcome_codes() -> dict[str, int]:
    """Look the welcome codes of members from before revision 0016 up in Shopify, a batch at a
    time (``loyalty.points.welcome_earlier``); counts only."""
    from loyalty.points.welcome_earlier import check_earlier_codes
    from loyalty.privacy.compliance import customer_hash_keys
    from runtime import current_runtime, shop_access_token, shopify_client

    rt = current_runtime()
    run = check_earlier_codes(
        rt.sessions,
        shopify_client(),
        shop_access_token,
        customer_hash_keys(rt.config),
        limit=EARLIER_WELCOME_BATCH,
        seconds=EARLIER_WELCOME_SECONDS,
    )
    summary = {"found": run.found, "absent": run.absent, "shops_waiting": len(run.shops_waiting)}
    if run.found or run.absent:
        log.info("earlier welcome codes: %(found)s found, %(absent)s absent", summary)
    return summary


def sync_balance(member_id: int) -> str:
    """Write the member's current balance and member tag to Shopify (``synced``/``unchanged``)."""
    from loyalty.shopify import metafields
    from loyalty.shopify.shops import ShopNotInstalled, TokenUnavailable
    from runtime import current_runtime, shop_access_token, shopify_client

    rt = current_runtime()
    with rt.lock(f"balance-sync:{member_id}", timeout=JOB_TIMEOUT + 5):
        snap = metafields.snapshot(rt.sessions, member_id)
        if snap is None:
            return "no customer"
        if rt.redis.get(_synced_key(member_id)) == snap.state.encode():
            return "unchanged"
        try:
            metafields.write_balance(shopify_client(), shop_access_token, snap)
        except (ShopNotInstalled, TokenUnavailable) as err:
            log.warning("balance of member %s not synced: %s", member_id, err.code)
            return "shop not installed"
        except metafields.BalanceSyncRefused as err:
            log.warning("balance of member %s refused by Shopify: %s", member_id, err)
            return "refused"
        rt.redis.set(_synced_key(member_id), snap.state, ex=SYNCED_TTL)
    return "synced"


def enqueue_welcome_code(rt: Runtime, member_id: int) -> None:
    """Queue the member's welcome code job once (a second enqueue while it exists is a no-op)."""
    _enqueue_once(rt, "jobs.engine.issue_welcome_code", member_id, f"welcome-{member_id}")


def welcome_newcomer(rt: Runtime, member_id: int, since: datetime) -> bool:
    """Queue the welcome code if the member joined at or after ``since`` (see
    ``loyalty.points.welcome.joined_since``); whether it was due."""
    from loyalty.points.welcome import joined_since

    if not joined_since(rt.sessions, member_id, since):
        return False
    enqueue_welcome_code(rt, member_id)
    return True


def enqueue_balance_sync(rt: Runtime, member_id: int) -> None:
    """Queue a balance sync unless one is already waiting for this member (coalescing)."""
    for slot in ("a", "b"):
        job_id = f"balance-{member_id}-{slot}"
        status = job_status(rt, job_id)
        if status in WAITING:
            return  # a waiting job will read the newest balance when it runs
        if status == JobStatus.STARTED:
            continue  # it may have read the balance already: the other slot waits behind it
        if _enqueue_once(rt, "jobs.engine.sync_balance", member_id, job_id, replace=True):
            return


def _enqueue_once(
    rt: Runtime, func: str, member_id: int, job_id: str, *, replace: bool = False
) -> bool:
    """Enqueue under ``job_id`` unless it exists; ``replace`` first drops a finished one."""
    try:
        return enqueue_once(
            rt,
            QUEUE,
            func,
            member_id,
            job_id=job_id,
            replace=DEAD if replace else (),
            retry=RETRY_SHOPIFY,
            timeout=JOB_TIMEOUT,
            result_ttl=0,
        )
    except QueueUnavailable as err:
        log.warning("job %s not enqueued: %s", job_id, err)
        return False


def expire_points() -> dict[str, int]:
    """Post ``expire`` entries for inactive members, then queue their balance syncs."""
    from loyalty.points.expiry import expire_inactive_points
    from runtime import current_runtime

    rt = current_runtime()
    run = expire_inactive_points(rt.sessions)
    for member_id in run.member_ids:
        enqueue_balance_sync(rt, member_id)
    log.info("expiry: %s members, %s points", len(run.member_ids), run.points)
    return {"members": len(run.member_ids), "points": run.points}


def reconcile_balances() -> dict[str, int]:
    """Check invariant 1 for every member; log how many members (and shops) drifted."""
    from loyalty.points.ledger import reconcile
    from runtime import current_runtime

    drift = reconcile(current_runtime().sessions)
    summary = {"members": len(drift), "shops": len({d.shop_id for d in drift})}
    if drift:
        log.error("reconciliation: %(members)s members in %(shops)s shops drifted", summary)
    else:
        log.info("reconciliation: no drift")
    return summary


def requeue_failed_event(rt: Runtime, shop_id: int, event_id: int) -> bool:
    """Reset a failed event of the shop and enqueue it now; False if Redis did not take it.

    A retry RQ scheduled for later is dropped first (the event runs now, not twice); a job
    that is running is left alone. Raises ``NotFound`` for an event not failed in this shop.
    """
    from jobs.queueing import enqueue_event
    from loyalty.shopify.failed_events import reset_for_retry

    topic = reset_for_retry(rt.sessions, shop_id, event_id)
    with contextlib.suppress(RedisError, OSError):
        delete_job_if(rt, f"event-{event_id}", frozenset(JobStatus) - {JobStatus.STARTED})
    return enqueue_event(rt, event_id, topic)
