"""VIP tiers' jobs, thin over :mod:`loyalty.club.tier_rewards`.

- :func:`recompute_shop` — every member of one shop after the merchant changed its ladder
  (queued by the admin's ``/api/tiers`` views; a plain enqueue per change: a recompute is
  idempotent, and changes are rare).
- :func:`recompute_all_tiers` — hourly (``jobs.schedule``): queues :func:`recompute_shop`
  (``nightly``) for each shop with tiers whose night it is (``NIGHT_HOUR`` in its time zone,
  ``loyalty.club.tier_rewards``): the period roll-over, ending grace periods and grants, and
  the recurring rewards.

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


def recompute_shop(shop_id: int, nightly: bool = False) -> dict[str, int]:
    """Recompute every member of the shop against its ladder as it is now; ``nightly`` also
    pays the recurring rewards."""
    from loyalty.club.tier_rewards import recompute_members
    from runtime import current_runtime

    rt = current_runtime()
    cause = "nightly" if nightly else "ladder_changed"
    run = recompute_members(rt.sessions, shop_id, cause=cause, rewards=nightly)
    _sync(rt, run.balance_moved)
    summary = {"members": run.members, "moved": run.moved, "reward_points": run.reward_points}
    log.info("tiers of shop %s: %s members, %s moved", shop_id, run.members, run.moved)
    return summary


def recompute_all_tiers(every_shop: bool = False) -> int:
    """Queue the nightly recompute of each shop with tiers whose night it is (``every_shop``:
    all of them, now); each shop is a job of its own, so a large one has its own time."""
    from loyalty.club.tier_rewards import shops_with_tiers
    from loyalty.core.types import utcnow
    from runtime import current_runtime

    rt = current_runtime()
    shops = shops_with_tiers(rt.sessions, None if every_shop else utcnow())
    for shop_id in shops:
        enqueue(rt, QUEUE, "jobs.tiers.recompute_shop", shop_id, True, timeout=TIMEOUT)
    return len(shops)


def _sync(rt: Runtime, member_ids: list[int]) -> None:
    from jobs.engine import enqueue_balance_sync

    for member_id in member_ids:
        enqueue_balance_sync(rt, member_id)
