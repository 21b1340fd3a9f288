"""A shop's backfill runs: the merchant's options, starting a run, and its progress.

Backfill on install: existing customers become members, past orders are recorded. Both come
from Shopify bulk query operations, one phase after the other (customers, then orders):
:mod:`loyalty.backfill.queries` starts and reads them, :mod:`loyalty.backfill.apply` applies
their lines.

Progress lives in one :class:`~loyalty.core.models.Backfill` row per shop; a new run bumps ``run``,
and work for an older run stops at its next step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.db import upsert
from loyalty.core.errors import LoyaltyError, ValidationError
from loyalty.core.ids import whole_from_json
from loyalty.core.models import Backfill
from loyalty.core.types import utcnow

DEFAULT_DAYS = 60
"""Without ``read_all_orders`` Shopify shows an app the last 60 days of orders only."""
MAX_DAYS = 36500
STALE_AFTER = timedelta(minutes=30)
"""A run with no progress for this long may be restarted over (its jobs are presumed dead)."""
STALLED = "No progress for 30 minutes: start the backfill again."
BATCH = 200
"""Lines applied between two progress writes."""

ACTIVE = ("queued", "running")
PHASES = ("customers", "orders")


class BackfillRunning(LoyaltyError):
    """The shop's backfill is running; it cannot be started over yet (HTTP 409)."""

    code = "backfill_running"


@dataclass(frozen=True)
class Options:
    """What the merchant chose: the order window, and whether old orders and joins earn."""

    orders_since_days: int | None = DEFAULT_DAYS
    award_points: bool = False
    signup_bonus: bool = False

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Options:
        """Validate ``POST /api/backfill``'s body; ValidationError with a message per field."""
        problems: dict[str, str] = {}
        unknown = set(body) - {"orders_since", "award_points", "signup_bonus"}
        for name in sorted(unknown):
            problems[name] = "Unknown field."
        since = body.get("orders_since", DEFAULT_DAYS)
        days: int | None = DEFAULT_DAYS
        if since == "all":
            days = None
        elif (whole := whole_from_json(since)) is not None and 1 <= whole <= MAX_DAYS:
            days = whole
        else:
            problems["orders_since"] = f'Enter a number of days from 1 to {MAX_DAYS}, or "all".'
        flags = {}
        for name in ("award_points", "signup_bonus"):
            value = body.get(name, False)
            if not isinstance(value, bool):
                problems[name] = "Enter true or false."
            flags[name] = value is True
        if problems:
            raise ValidationError(problems)
        return cls(orders_since_days=days, **flags)


def start(
    sessions: sessionmaker[Session],
    shop_id: int,
    options: Options,
    *,
    now: datetime | None = None,
) -> int:
    """Begin a new run of the shop's backfill with these options; its run number.

    Raises :class:`BackfillRunning` while a run is active and not stale.
    Counts start from zero: they describe this run (a re-run finds most things known).
    """
    now = now or utcnow()
    with sessions.begin() as session:
        session.execute(
            upsert(session, Backfill)
            .on_conflict_do_nothing(index_elements=["shop_id"])
            .values({**_fresh(shop_id, options, now), "run": 0, "status": "new"})
        )
        row = session.scalars(
            select(Backfill)
            .where(Backfill.shop_id == shop_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if row.status in ACTIVE and now - row.updated_at < STALE_AFTER:
            raise BackfillRunning("the backfill is running")
        run = row.run + 1
        for name, value in _fresh(shop_id, options, now).items():
            setattr(row, name, value)
        row.run = run
        return run


def _fresh(shop_id: int, options: Options, now: datetime) -> dict[str, Any]:
    return {
        "shop_id": shop_id,
        "status": "queued",
        "phase": PHASES[0],
        "orders_since_days": options.orders_since_days,
        "award_points": options.award_points,
        "signup_bonus": options.signup_bonus,
        "bulk_operation_id": None,
        "lines_done": 0,
        "customers_seen": 0,
        "customers_enrolled": 0,
        "orders_seen": 0,
        "orders_recorded": 0,
        "orders_awarded": 0,
        "error": None,
        "started_at": now,
        "finished_at": None,
        "updated_at": now,
    }


def current(
    sessions: sessionmaker[Session], shop_id: int, run: int | None = None
) -> Backfill | None:
    """The shop's backfill row (detached), or None; None too when ``run`` is not its run."""
    with sessions() as session:
        row = session.get(Backfill, shop_id)
        if row is None or (run is not None and row.run != run):
            return None
        session.expunge(row)
        return row


def progress(sessions: sessionmaker[Session], shop_id: int) -> dict[str, Any]:
    """The backfill's state for the admin (``status: "none"`` before any run)."""
    row = current(sessions, shop_id)
    if row is None:
        return {
            "status": "none",
            "phase": None,
            "options": None,
            "counts": None,
            "error": None,
            "started_at": None,
            "finished_at": None,
        }
    status, error = row.status, row.error
    if status in ACTIVE and utcnow() - row.updated_at >= STALE_AFTER:
        # Its jobs gave up or died (RQ keeps the details); the merchant may start it again.
        status, error = "failed", STALLED
    return {
        "status": status,
        "phase": row.phase,
        "run": row.run,
        "options": {
            "orders_since": row.orders_since_days if row.orders_since_days else "all",
            "award_points": row.award_points,
            "signup_bonus": row.signup_bonus,
        },
        "counts": {
            "customers_seen": row.customers_seen,
            "customers_enrolled": row.customers_enrolled,
            "orders_seen": row.orders_seen,
            "orders_recorded": row.orders_recorded,
            "orders_awarded": row.orders_awarded,
        },
        "error": error,
        "started_at": row.started_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }


def update(
    sessions: sessionmaker[Session], shop_id: int, run: int, **changes: Any
) -> Backfill | None:
    """Change the run's row (counts in ``changes`` are added); None if the run was replaced.

    Keys ending in ``+`` are increments: ``update(..., **{"orders_seen+": 3})``.
    """
    with sessions.begin() as session:
        row = session.scalars(
            select(Backfill)
            .where(Backfill.shop_id == shop_id, Backfill.run == run)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one_or_none()
        if row is None:
            return None
        for key, value in changes.items():
            if key.endswith("+"):
                name = key[:-1]
                setattr(row, name, getattr(row, name) + value)
            else:
                setattr(row, key, value)
        row.updated_at = utcnow()
        session.flush()
        session.expunge(row)
        return row
