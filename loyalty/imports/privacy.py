"""Imports and personal data: per-row results hold the email a row named, so they are kept
for :data:`RUN_RETENTION` only, and a customer's rows lose their email when the customer is
redacted (invariant 8). The ledger entries and members an import made are not touched here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import ImportRow, ImportRun
from loyalty.core.types import utcnow

RUN_RETENTION = timedelta(days=30)
BATCH = 200


def purge_old_runs(sessions: sessionmaker[Session], now: datetime | None = None) -> int:
    """Delete runs (and their rows) older than :data:`RUN_RETENTION`, a batch per transaction."""
    cutoff = (now or utcnow()) - RUN_RETENTION
    purged = 0
    while True:
        with sessions.begin() as s:
            ids = list(
                s.scalars(select(ImportRun.id).where(ImportRun.created_at < cutoff).limit(BATCH))
            )
            if not ids:
                return purged
            s.execute(delete(ImportRow).where(ImportRow.run_id.in_(ids)))
            s.execute(delete(ImportRun).where(ImportRun.id.in_(ids)))
            purged += len(ids)


def forget_customer(
    session: Session, shop_id: int, customer_id: int, email: str | None = None
) -> int:
    """Blank the email on the shop's import rows of this customer (by id, or by email)."""
    named = [ImportRow.customer_id == customer_id]
    if email:
        named.append(func.lower(ImportRow.email) == email.strip().casefold())
    runs = select(ImportRun.id).where(ImportRun.shop_id == shop_id)
    result = session.execute(
        update(ImportRow)
        .where(ImportRow.run_id.in_(runs), or_(*named))
        .values(email=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
