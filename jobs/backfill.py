"""The backfill's jobs on the ``shopify`` queue, thin over :mod:`loyalty.backfill`.

One run goes ``begin`` → ``poll`` (→ ``poll`` again later while Shopify runs the query) → the
file is applied → the next phase's ``begin`` … until the orders phase is applied. Each job
carries the shop id and the run number only; a job of a run that was started over stops at its
first step. No job holds a database transaction across a call to Shopify or a read of the file:
lines are applied one transaction each, progress written every :data:`loyalty.backfill.runs.BATCH`.

We poll ``node(id:)`` rather than subscribe to ``bulk_operations/finish``: polling works the
same in development (no public URL needed) and cannot miss a delivery; the first poll comes at
once, later ones every :data:`POLL_EVERY` seconds (RQ's scheduler runs them).

A new install (token exchange on the first load, or the OAuth callback; the first, or again
after an uninstall) starts a run with the default options: ``admin.install`` calls
:func:`start_install_backfill` once the install is committed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from jobs.queueing import RETRY_SHOPIFY as RETRY
from jobs.queueing import QueueUnavailable, enqueue
from loyalty.shopify.errors import GraphQLError, ShopifyAuthError
from loyalty.shopify.shops import ShopNotInstalled, TokenUnavailable

if TYPE_CHECKING:
    from loyalty.backfill.runs import Options
    from loyalty.core.models import Backfill
    from runtime import Runtime

log = logging.getLogger(__name__)

QUEUE = "shopify"
BEGIN_TIMEOUT = 60
APPLY_TIMEOUT = 3600  # a job that applies a whole file (it resumes where a killed one stopped)
POLL_EVERY = 15
BUSY_WAIT = 60


def start_backfill(rt: Runtime, shop_id: int, options: Options) -> int:
    """Begin a run (raises ``BackfillRunning``) and enqueue its first job; the run number.

    If Redis is down the run stays ``queued`` and becomes stale, so the merchant can start it
    again; the row says so meanwhile.
    """
    from loyalty.backfill import runs as backfill

    run = backfill.start(rt.sessions, shop_id, options)
    _enqueue(rt, "jobs.backfill.begin", shop_id, run)
    return run


def default_options(scopes: str) -> Options:
    """Every order Shopify lets us read: all with ``read_all_orders``, else the last 60 days."""
    from loyalty.backfill.runs import DEFAULT_DAYS, Options

    granted = {s.strip() for s in scopes.split(",")}
    return Options(orders_since_days=None if "read_all_orders" in granted else DEFAULT_DAYS)


def begin(shop_id: int, run: int) -> str:
    """Start the current phase's bulk query, then poll it."""
    from loyalty.backfill import queries
    from loyalty.backfill import runs as backfill
    from runtime import current_runtime, shop_access_token, shopify_client

    rt = current_runtime()
    row = backfill.current(rt.sessions, shop_id, run)
    if row is None or row.status not in backfill.ACTIVE:
        return "replaced"
    domain = _domain(rt, shop_id)
    query = queries.phase_query(row.phase, row.orders_since_days, row.started_at)
    try:
        operation = queries.run_bulk_query(
            shopify_client(), domain, shop_access_token(domain), query
        )
    except (ShopNotInstalled, TokenUnavailable, ShopifyAuthError, GraphQLError) as err:
        _fail(rt, shop_id, run, f"Shopify refused the app ({err.code})")
        return "refused"
    except queries.BulkQueryRefused as err:
        if "OPERATION_IN_PROGRESS" in err.codes:
            _enqueue(rt, "jobs.backfill.begin", shop_id, run, delay=BUSY_WAIT)
            return "busy"
        _fail(rt, shop_id, run, f"Shopify refused the bulk query ({','.join(err.codes)})")
        return "refused"
    backfill.update(
        rt.sessions, shop_id, run, status="running", bulk_operation_id=operation, lines_done=0
    )
    _enqueue(rt, "jobs.backfill.poll", shop_id, run, timeout=APPLY_TIMEOUT)
    return "started"


def poll(shop_id: int, run: int) -> str:
    """Check the bulk query; apply its file when done, else look again later."""
    from loyalty.backfill import queries
    from loyalty.backfill import runs as backfill
    from runtime import current_runtime, shop_access_token, shopify_client

    rt = current_runtime()
    row = backfill.current(rt.sessions, shop_id, run)
    if row is None or row.status not in backfill.ACTIVE or not row.bulk_operation_id:
        return "replaced"
    domain = _domain(rt, shop_id)
    try:
        state = queries.bulk_status(
            shopify_client(), domain, shop_access_token(domain), row.bulk_operation_id
        )
    except (ShopNotInstalled, TokenUnavailable, ShopifyAuthError, GraphQLError) as err:
        _fail(rt, shop_id, run, f"Shopify refused the app ({err.code})")
        return "refused"
    status = state.get("status")
    if status in ("CREATED", "RUNNING", "CANCELING"):
        backfill.update(rt.sessions, shop_id, run)  # alive: not stale while Shopify works
        _enqueue(
            rt,
            "jobs.backfill.poll",
            shop_id,
            run,
            delay=POLL_EVERY,
            timeout=APPLY_TIMEOUT,
        )
        return "waiting"
    if status == "COMPLETED":
        if state.get("url") and not _apply_file(rt, row, str(state["url"])):
            return "replaced"
        return _next_phase(rt, row)
    error = f"Shopify's bulk operation ended {status}"
    if state.get("errorCode"):
        error += f" ({state['errorCode']})"
    if state.get("partialDataUrl"):
        _apply_file(rt, row, str(state["partialDataUrl"]))
        error += "; its partial data was applied"
    _fail(rt, shop_id, run, error)
    return "failed"


def _apply_file(rt: Runtime, row: Backfill, url: str) -> bool:
    """Apply the phase's JSONL lines after those already done; False if the run was replaced."""
    from jobs.engine import enqueue_balance_sync
    from loyalty.backfill import runs as backfill
    from loyalty.backfill.apply import apply_customer, apply_order_line
    from loyalty.backfill.queries import jsonl_lines
    from loyalty.core.models import Shop
    from loyalty.privacy.compliance import customer_hash_key

    key = customer_hash_key(rt.config)
    with rt.sessions() as session:
        installed_at = session.get(Shop, row.shop_id).installed_at  # type: ignore[union-attr]
    since = (
        row.started_at - timedelta(days=row.orders_since_days) if row.orders_since_days else None
    )
    counts: dict[str, int] = {}
    pending = 0
    for line in jsonl_lines(url, skip=row.lines_done):
        if row.phase == "customers":
            joined = apply_customer(
                rt.sessions,
                row.shop_id,
                line,
                installed_at=installed_at,
                signup_bonus=row.signup_bonus,
                hash_key=key,
            )
            _add(counts, "customers_seen+", int(joined.seen))
            if joined.enrolled is not None:
                _add(counts, "customers_enrolled+", 1)
                # The member tag (and a bonus, if any) reach Shopify as after customers/create.
                enqueue_balance_sync(rt, joined.enrolled)
        else:
            outcome = apply_order_line(
                rt.sessions,
                row.shop_id,
                line,
                installed_at=installed_at,
                since=since,
                award_points=row.award_points,
                signup_bonus=row.signup_bonus,
                hash_key=key,
            )
            _add(counts, "orders_seen+", int(outcome.seen))
            _add(counts, "orders_recorded+", int(outcome.recorded))
            _add(counts, "orders_awarded+", int(outcome.awarded))
            if outcome.member_id is not None:
                enqueue_balance_sync(rt, outcome.member_id)
        pending += 1
        if pending >= backfill.BATCH:
            if not _flush(rt, row, pending, counts):
                return False
            pending, counts = 0, {}
    return _flush(rt, row, pending, counts)


def _flush(rt: Runtime, row: Backfill, lines: int, counts: dict[str, int]) -> bool:
    from loyalty.backfill import runs as backfill

    updated = backfill.update(rt.sessions, row.shop_id, row.run, **{"lines_done+": lines}, **counts)
    if updated is not None:
        row.lines_done = updated.lines_done
    return updated is not None


def _next_phase(rt: Runtime, row: Backfill) -> str:
    from loyalty.backfill import runs as backfill
    from loyalty.core.types import utcnow

    index = backfill.PHASES.index(row.phase)
    if index + 1 < len(backfill.PHASES):
        backfill.update(
            rt.sessions,
            row.shop_id,
            row.run,
            phase=backfill.PHASES[index + 1],
            bulk_operation_id=None,
            lines_done=0,
        )
        _enqueue(rt, "jobs.backfill.begin", row.shop_id, row.run)
        return f"{row.phase} done"
    backfill.update(rt.sessions, row.shop_id, row.run, status="completed", finished_at=utcnow())
    log.info("backfill of shop %s run %s completed", row.shop_id, row.run)
    return "completed"


def _fail(rt: Runtime, shop_id: int, run: int, error: str) -> None:
    from loyalty.backfill import runs as backfill
    from loyalty.core.types import utcnow

    backfill.update(
        rt.sessions, shop_id, run, status="failed", error=error[:200], finished_at=utcnow()
    )
    log.warning("backfill of shop %s run %s failed: %s", shop_id, run, error)


def _add(counts: dict[str, int], key: str, value: int) -> None:
    counts[key] = counts.get(key, 0) + value


def _domain(rt: Runtime, shop_id: int) -> str:
    from loyalty.core.models import Shop

    with rt.sessions() as session:
        shop = session.get(Shop, shop_id)
        if shop is None:
            raise LookupError(f"no shop {shop_id}")
        return shop.domain


def _enqueue(
    rt: Runtime,
    func: str,
    shop_id: int,
    run: int,
    *,
    delay: float = 0,
    timeout: int = BEGIN_TIMEOUT,
) -> bool:
    """Queue one step of a run (RQ's own job ids: a run's steps are chained, never repeated)."""
    try:
        enqueue(rt, QUEUE, func, shop_id, run, retry=RETRY, timeout=timeout, delay=delay)
    except QueueUnavailable as err:
        log.warning("backfill job for shop %s not enqueued: %s", shop_id, err)
        return False
    return True


# -- Starting on install ------------------------------------------------------------------


def start_install_backfill(rt: Runtime, shop_id: int, scopes: str) -> None:
    """Start the backfill a new install gets (default options for its scopes), unless one runs."""
    from loyalty.backfill.runs import BackfillRunning

    try:
        start_backfill(rt, shop_id, default_options(scopes))
    except BackfillRunning:
        log.info("backfill of shop %s already running", shop_id)
