"""Stamp cards' jobs on the ``shopify`` queue, thin over ``loyalty.club``.

- :func:`issue_stamp_reward` (``stamp-reward-{id}``): a full card's code in Shopify
  (:mod:`loyalty.club.stamp_rewards`), made once, retried by RQ while Shopify is down.
- :func:`refresh_collection` (``stamp-collection-{shop}-{id}``) and :func:`refresh_product`
  (``stamp-product-{shop}-{id}``): the products of the collections cards count, read through
  the Admin API when a card is saved and on ``collections/update`` and ``products/update``
  (:mod:`loyalty.club.stamp_catalog`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from jobs.engine import issue_code
from jobs.queueing import DEAD, RETRY_SHOPIFY, QueueUnavailable, enqueue_once

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)

JOB_TIMEOUT = 120


def _enqueue(rt: Runtime, func: str, job_id: str, *args: int) -> None:
    try:
        enqueue_once(
            rt,
            "shopify",
            func,
            *args,
            job_id=job_id,
            replace=DEAD,
            retry=RETRY_SHOPIFY,
            timeout=JOB_TIMEOUT,
            result_ttl=0,
        )
    except QueueUnavailable as err:
        log.warning("job %s not enqueued: %s", job_id, err)


def enqueue_stamp_rewards(rt: Runtime, shop_id: int, member_id: int) -> None:
    """Queue the code job of each of the member's rewards still pending."""
    from loyalty.club.stamp_rewards import pending_rewards

    for reward_id in pending_rewards(rt.sessions, shop_id, member_id):
        _enqueue(rt, "jobs.stamps.issue_stamp_reward", f"stamp-reward-{reward_id}", reward_id)


def enqueue_collection_refresh(rt: Runtime, shop_id: int, collection_id: int) -> None:
    """Queue a look-up of the collection's products."""
    job_id = f"stamp-collection-{shop_id}-{collection_id}"
    _enqueue(rt, "jobs.stamps.refresh_collection", job_id, shop_id, collection_id)


def enqueue_product_refresh(rt: Runtime, shop_id: int, product_id: int) -> None:
    """Queue a look-up of the collections the product is in."""
    job_id = f"stamp-product-{shop_id}-{product_id}"
    _enqueue(rt, "jobs.stamps.refresh_product", job_id, shop_id, product_id)


def issue_stamp_reward(reward_id: int) -> str:
    """Create a stamp reward's code in Shopify once; ``created``/``exists``/``skipped``."""
    from loyalty.club.stamp_rewards import issue_stamp_reward as issue
    from runtime import current_runtime, shop_access_token, shopify_client

    return issue_code(
        f"stamp reward {reward_id}",
        lambda: issue(current_runtime().sessions, shopify_client(), shop_access_token, reward_id),
    )


def refresh_collection(shop_id: int, collection_id: int) -> str:
    """Store a collection's products as Shopify has them now."""
    from loyalty.club.stamp_catalog import refresh_collection as refresh
    from runtime import current_runtime, shop_access_token, shopify_client

    outcome = refresh(
        current_runtime().sessions, shopify_client(), shop_access_token, shop_id, collection_id
    )
    log.info("stamp collection of shop %s: %s", shop_id, outcome)
    return outcome


def refresh_product(shop_id: int, product_id: int) -> str:
    """Re-read which counted collections a product is in."""
    from loyalty.club.stamp_catalog import refresh_product as refresh
    from runtime import current_runtime, shop_access_token, shopify_client

    outcome = refresh(
        current_runtime().sessions, shopify_client(), shop_access_token, shop_id, product_id
    )
    log.info("stamp product of shop %s: %s", shop_id, outcome)
    return outcome
