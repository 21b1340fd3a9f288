"""Running CSV imports (:mod:`loyalty.imports`): inside the request for small files, else a job.

The job goes on the ``shopify`` queue (it asks the Admin API for customers not yet known) under
the job id ``import-{run}``; a run runs once (``execute`` claims it), so a duplicate job or a
retry changes nothing. When Shopify fails the run is marked failed: re-uploading the file is
safe, since imported rows count once. Members whose balance moved get a balance sync.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from jobs.queueing import QueueUnavailable, enqueue_once

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)

QUEUE = "shopify"
JOB_TIMEOUT = 3600


def run_now(rt: Runtime, run_id: int) -> None:
    """Execute a queued run in this process; Shopify's errors fail the run, then propagate."""
    from jobs.engine import enqueue_balance_sync
    from loyalty.core.errors import LoyaltyError
    from loyalty.core.models import Shop
    from loyalty.imports import runs
    from loyalty.imports.customers import ShopifyDirectory
    from loyalty.privacy.compliance import customer_hash_keys
    from runtime import shop_access_token, shopify_client

    def directory_for(shop_id: int) -> ShopifyDirectory:
        with rt.sessions() as s:
            shop = s.get(Shop, shop_id)
            domain = shop.domain if shop is not None else ""
        return ShopifyDirectory(shopify_client(), domain, shop_access_token)

    try:
        moved = runs.execute(rt.sessions, run_id, directory_for, customer_hash_keys(rt.config))
    except LoyaltyError as err:
        log.warning("import %s failed: %s", run_id, err.code)
        runs.fail(rt.sessions, run_id, err.code)
        raise
    for member_id in dict.fromkeys(moved):
        enqueue_balance_sync(rt, member_id)
    log.info("import %s done: %s balances moved", run_id, len(moved))


def run_import(run_id: int) -> str:
    """The job: run an import that was too big for the request."""
    from loyalty.core.errors import LoyaltyError
    from runtime import current_runtime

    try:
        run_now(current_runtime(), run_id)
    except LoyaltyError:
        return "failed"
    return "done"


def enqueue_import(rt: Runtime, run_id: int) -> None:
    """Queue the run's job once; if Redis refuses, the run is marked failed."""
    from loyalty.imports import runs

    try:
        enqueue_once(
            rt,
            QUEUE,
            "jobs.imports.run_import",
            run_id,
            job_id=f"import-{run_id}",
            timeout=JOB_TIMEOUT,
        )
    except QueueUnavailable as err:
        log.warning("import %s not enqueued: %s", run_id, err)
        runs.fail(rt.sessions, run_id, "not_enqueued")


def purge_import_runs() -> int:
    """Periodic: delete import runs past their retention (``loyalty.imports.privacy``)."""
    from loyalty.imports.privacy import purge_old_runs
    from runtime import current_runtime

    purged = purge_old_runs(current_runtime().sessions)
    log.info("imports: %s old runs purged", purged)
    return purged
