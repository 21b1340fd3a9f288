"""VIP tiers' jobs, thin over :mod:`loyalty.club.tier_rewards`.

- :func:`recompute_shop` — every member of one shop after the merchant changed its ladder
  (queued by the admin's ``/api/tiers`` views; a plain enqueue per change: a recompute is
  idempotent, and changes are rare).
- :func:`recompute_all_tiers` — hourly (``jobs.schedule``), each shop with tiers in its own
  night (``loyalty.club.tier_rewards.NIGHT_HOUR`` in its time zone): the period roll-over,
  ending grace periods and grants, and the recurring rewards.

Members whose balance moved (an entry bonus, a reward) get a balance sync to Shopify.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from jobs.queueing import QueueUnavailable, enqueue

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)

QUEUE = "webhooks"
TIMEOUT = 1800


def enqueue_recompute(rt: Runtime, shop_id: int) -> bool:
    """Queue the shop's recompute; False (and a log line) when Redis is down: the nightly run
    catches up."""
    try:
        enqueue(rt, QUEUE, "jobs.tiers.recompute_shop", shop_id, timeout=TIMEOUT)
    except QueueUnavailable as err:
        log.warning("tier recompute of shop %s not enqueued: %s", shop_id, err)
        return False
    return True


def recompute_shop(shop_id: int) -> dict[str, int]:
    """Recompute every member of the shop against its ladder as it is now."""
    from loyalty.club.tier_rewards import recompute_members
    from runtime import current_runtime

    rt = current_runtime()
    run = recompute_members(rt.sessions, shop_id, cause="ladder_changed")
    _sync(rt, run.balance_moved)
    return {"members": run.members, "moved": run.moved}


def recompute_all_tiers(every_shop: bool = False) -> dict[str, int]:
    """The shops with tiers whose night it is (``every_shop``: all of them, now): roll-over,
    grace and grants, and recurring rewards."""
    from loyalty.club.tier_rewards import recompute_members, shops_with_tiers
    from loyalty.core.types import utcnow
    from runtime import current_runtime

    rt = current_runtime()
    summary = {"shops": 0, "members": 0, "moved": 0, "reward_points": 0}
    for shop_id in shops_with_tiers(rt.sessions, None if every_shop else utcnow()):
        run = recompute_members(rt.sessions, shop_id, cause="nightly", rewards=True)
        _sync(rt, run.balance_moved)
        summary["shops"] += 1
        summary["members"] += run.members
        summary["moved"] += run.moved
        summary["reward_points"] += run.reward_points
    log.info("tiers: %(shops)s shops, %(members)s members, %(moved)s moved", summary)
    return summary


def _sync(rt: Runtime, member_ids: list[int]) -> None:
    from jobs.engine import enqueue_balance_sync

    for member_id in member_ids:
        enqueue_balance_sync(rt, member_id)
