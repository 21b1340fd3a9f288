"""Referral jobs, thin over :mod:`loyalty.club.referral_payouts` and
:mod:`loyalty.club.referral_signup`.

- :func:`settle_referrals` (``jobs.schedule``, hourly on the ``webhooks`` queue): pays each
  referrer whose friend's first order stood through the waiting period, takes back a reward
  whose order was cancelled later; idempotent, and the outcome depends only on the facts. It
  queues the balance syncs of the members it paid, and the code job of every sign-up whose
  code Shopify does not have yet (a request that died between the row and the code).
- :func:`issue_friend_code` (``shopify`` queue, ``referral-code-{id}``): that code, made once
  (:func:`jobs.engine.issue_code`), retried by RQ while Shopify is down.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from jobs.engine import enqueue_balance_sync, enqueue_code_job, issue_code

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)

STRANDED_AFTER = timedelta(minutes=5)
"""A sign-up's code still pending this long after it was recorded: its request died."""


def settle_referrals(at: str | None = None) -> dict[str, int]:
    """Settle due referrers; ``at`` (ISO 8601) runs as of that moment."""
    from loyalty.club.referral_payouts import settle_referrals as settle
    from loyalty.club.referral_signup import stranded_codes
    from loyalty.core.payloads import parse_time
    from runtime import current_runtime

    rt = current_runtime()
    now = parse_time(at)
    run = settle(rt.sessions, now=now)
    for member_id in run.members_paid:
        enqueue_balance_sync(rt, member_id)
    stranded = stranded_codes(rt.sessions, STRANDED_AFTER, now=now)
    for referral_id in stranded:
        enqueue_friend_code(rt, referral_id)
    log.info(
        "referrals: %s referrers settled, %s paid, %s codes due",
        run.referrals,
        len(run.members_paid),
        len(stranded),
    )
    return {"settled": run.referrals, "paid": len(run.members_paid), "codes": len(stranded)}


def enqueue_friend_code(rt: Runtime, referral_id: int) -> None:
    """Queue the friend's code job unless one is waiting or running."""
    enqueue_code_job(
        rt, "jobs.referrals.issue_friend_code", referral_id, f"referral-code-{referral_id}"
    )


def issue_friend_code(referral_id: int) -> str:
    """Create a referred friend's code in Shopify once; ``created``/``exists``/``skipped``."""
    from loyalty.club.referral_signup import issue_friend_code as issue
    from runtime import current_runtime, shop_access_token, shopify_client

    def create() -> str:
        made = issue(current_runtime().sessions, shopify_client(), shop_access_token, referral_id)
        return "skipped" if made is None else made.made

    return issue_code(f"referral code {referral_id}", create)
