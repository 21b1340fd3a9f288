"""Import runs read back: a run with a page of its per-row results, the shop's runs, and an
earlier applied run of the same file.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.errors import NotFound
from loyalty.core.models import ImportRow, ImportRun
from loyalty.imports.formats import SOURCES
from loyalty.imports.outcomes import Outcome
from loyalty.imports.runs import Status

ROWS_PAGE = 500
RUNS_PAGE = 20


def run_json(
    sessions: sessionmaker[Session],
    shop_id: int,
    run_id: int,
    *,
    outcome: str | None = None,
    after_line: int = 0,
    with_rows: bool = True,
) -> dict[str, Any]:
    """A run of this shop, with a page of its rows (by line, optionally of one outcome)."""
    with sessions() as s:
        run = s.scalars(
            select(ImportRun).where(ImportRun.id == run_id, ImportRun.shop_id == shop_id)
        ).one_or_none()
        if run is None:
            raise NotFound("This shop has no such import.")
        body = _summary(run)
        if not with_rows:
            return body
        query = (
            select(ImportRow)
            .where(ImportRow.run_id == run.id, ImportRow.line > after_line)
            .order_by(ImportRow.line)
            .limit(ROWS_PAGE + 1)
        )
        if outcome:
            query = query.where(ImportRow.outcome == outcome)
        rows = list(s.scalars(query))
        body["rows"] = [_row_json(r) for r in rows[:ROWS_PAGE]]
        body["next_after_line"] = rows[ROWS_PAGE - 1].line if len(rows) > ROWS_PAGE else None
        return body


def list_runs(
    sessions: sessionmaker[Session], shop_id: int, *, before: int | None = None
) -> dict[str, Any]:
    """The shop's runs, newest first, a page at a time (``before``: the last id seen)."""
    with sessions() as s:
        query = (
            select(ImportRun)
            .where(ImportRun.shop_id == shop_id)
            .order_by(ImportRun.id.desc())
            .limit(RUNS_PAGE + 1)
        )
        if before is not None:
            query = query.where(ImportRun.id < before)
        runs = list(s.scalars(query))
        page = runs[:RUNS_PAGE]
        return {
            "imports": [_summary(r) for r in page],
            "next": str(page[-1].id) if len(runs) > RUNS_PAGE else None,
        }


def earlier_run(sessions: sessionmaker[Session], shop_id: int, run_id: int) -> int | None:
    """An earlier applied run of the same file content in this shop, if any."""
    with sessions() as s:
        run = s.get(ImportRun, run_id)
        if run is None:
            return None
        return s.scalar(
            select(ImportRun.id)
            .where(
                ImportRun.shop_id == shop_id,
                ImportRun.file_hash == run.file_hash,
                ImportRun.dry_run.is_(False),
                ImportRun.status == Status.DONE,
                ImportRun.id < run_id,
            )
            .order_by(ImportRun.id.desc())
            .limit(1)
        )


def _summary(run: ImportRun) -> dict[str, Any]:
    source = SOURCES.get(run.source)
    return {
        "id": str(run.id),
        "status": run.status,
        "dry_run": run.dry_run,
        "mode": run.mode,
        "source": {
            "key": run.source,
            "label": source.label if source else run.source,
            "note": source.note if source else "",
        },
        "filename": run.filename,
        "file_hash": run.file_hash,
        "mapping": run.mapping,
        "total_rows": run.total_rows,
        "processed_rows": run.processed_rows,
        "counts": {o: int((run.counts or {}).get(o, 0)) for o in Outcome.ALL},
        "error": run.error,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def _row_json(r: ImportRow) -> dict[str, Any]:
    # An unchanged row may say why (``already_imported``): a note, not an error.
    note = r.outcome == Outcome.UNCHANGED and r.error_code is not None
    return {
        "line": r.line,
        "outcome": r.outcome,
        "email": r.email,
        "customer_id": None if r.customer_id is None else str(r.customer_id),
        "points": r.points,
        "points_from": r.points_from,
        "points_to": r.points_to,
        "error": None
        if r.error_code is None or note
        else {"code": r.error_code, "message": r.message},
        "note": {"code": r.error_code, "message": r.message} if note else None,
    }
