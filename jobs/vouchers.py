"""Spend vouchers' jobs, thin over :mod:`loyalty.club.voucher_sync` (with
:mod:`~loyalty.club.voucher_moves`) and :mod:`loyalty.club.voucher_catalogue`.

- :func:`sync_voucher` (``shopify`` queue, one job per voucher, ``voucher-{id}``): make,
  pause or restore the voucher in Shopify; under a lock per voucher, retried by RQ while
  Shopify is down or throttling.
- :func:`enqueue_member_vouchers`: after an order or refund of the member (the orders
  handlers), queue the sync of each of their vouchers that is not in line.
- :func:`sweep_vouchers` (``jobs.schedule``, every 5 minutes): the vouchers table is the
  outbox; any voucher out of line whose job Redis lost is queued again.
- :func:`refresh_shop` (``webhooks`` queue): after the merchant changed a rule, every member
  with paid orders is looked at again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from jobs.queueing import DEAD, RETRY_SHOPIFY, QueueUnavailable, enqueue, enqueue_once

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)

JOB_TIMEOUT = 120
REFRESH_TIMEOUT = 1800


def enqueue_sync(rt: Runtime, voucher_id: int) -> None:
    """Queue the voucher's sync unless one is waiting or running (a finished one is replaced:
    the voucher is still out of line, so it is not done)."""
    try:
        enqueue_once(
            rt,
            "shopify",
            "jobs.vouchers.sync_voucher",
            voucher_id,
            job_id=f"voucher-{voucher_id}",
            replace=DEAD,
            retry=RETRY_SHOPIFY,
            timeout=JOB_TIMEOUT,
            result_ttl=0,
        )
    except QueueUnavailable as err:
        log.warning("voucher %s not enqueued (%s); the sweep queues it", voucher_id, err)


def enqueue_member_vouchers(rt: Runtime, member_id: int) -> int:
    """Queue the sync of each of the member's vouchers that is out of line; how many."""
    from loyalty.club.voucher_moves import due_vouchers

    found = due_vouchers(rt.sessions, member_id=member_id)
    for voucher_id in found:
        enqueue_sync(rt, voucher_id)
    return len(found)


def sync_voucher(voucher_id: int) -> str:
    """Bring one voucher in line in Shopify (``issued``, ``disabled``, ``enabled``…)."""
    from loyalty.club.voucher_sync import sync_voucher as sync
    from loyalty.shopify.shops import ShopNotInstalled, TokenUnavailable
    from runtime import current_runtime, shop_access_token, shopify_client

    rt = current_runtime()
    with rt.lock(f"voucher:{voucher_id}", timeout=JOB_TIMEOUT + 5):
        try:
            outcome = sync(rt.sessions, shopify_client(), shop_access_token, voucher_id)
        except (ShopNotInstalled, TokenUnavailable) as err:
            log.warning("voucher %s skipped: %s", voucher_id, err.code)
            return "shop not installed"
    log.info("voucher %s: %s", voucher_id, outcome)
    return outcome


def sweep_vouchers() -> int:
    """Queue every voucher that is out of line (those whose job Redis lost); how many."""
    from loyalty.club.voucher_moves import due_vouchers
    from runtime import current_runtime

    rt = current_runtime()
    found = due_vouchers(rt.sessions)
    for voucher_id in found:
        enqueue_sync(rt, voucher_id)
    return len(found)


def enqueue_refresh(rt: Runtime, shop_id: int) -> bool:
    """Queue the shop's refresh after a rule changed; False (and a log line) if Redis is down:
    the next order of each member catches up."""
    try:
        enqueue(rt, "webhooks", "jobs.vouchers.refresh_shop", shop_id, timeout=REFRESH_TIMEOUT)
    except QueueUnavailable as err:
        log.warning("voucher refresh of shop %s not enqueued: %s", shop_id, err)
        return False
    return True


def refresh_shop(shop_id: int) -> int:
    """Look at every member of the shop with paid orders again; queue what changed."""
    from loyalty.club.voucher_catalogue import refresh_shop as refresh
    from runtime import current_runtime

    rt = current_runtime()
    changed = refresh(rt.sessions, shop_id)
    for member_id in changed:
        enqueue_member_vouchers(rt, member_id)
    log.info("vouchers of shop %s: %s members changed", shop_id, len(changed))
    return len(changed)
