"""Import runs: created from an upload and executed (in the request or by a job).

A run keeps the uploaded file only until it has finished, its header mapping, counts and
progress, and one :class:`~loyalty.core.models.ImportRow` per line. Execution reads the file,
matches customers (Shopify lookups outside any transaction), then plans or applies the rows in
chunks, each chunk one transaction, updating the progress after each. Runs are read back by
:mod:`loyalty.imports.results`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.errors import ValidationError
from loyalty.core.models import ImportRow, ImportRun
from loyalty.core.text import MESSAGE as UNSTORABLE
from loyalty.core.text import unstorable_field
from loyalty.core.types import utcnow
from loyalty.imports.apply import process
from loyalty.imports.customers import Directory, resolve
from loyalty.imports.formats import SOURCES, Mode
from loyalty.imports.outcomes import Outcome, RowResult, mark_same_customer
from loyalty.imports.parse import ParsedFile, parse
from loyalty.members.enrolment import HashKeys
from loyalty.privacy import audit

CHUNK_ROWS = 200


class Status:
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class Upload:
    """A validated upload: the file read, and what to do with it."""

    parsed: ParsedFile
    content: bytes
    filename: str | None
    mode: Mode
    dry_run: bool


def validate_upload(
    content: bytes | None,
    filename: str | None,
    form: dict[str, str],
) -> Upload:
    """Check the form's fields and read the file; :class:`ValidationError` names each bad field."""
    fields: dict[str, str] = {}
    mode_text = (form.get("mode") or "add").strip().lower()
    if mode_text not in {m.value for m in Mode}:
        fields["mode"] = "Choose add or reset."
    dry_text = (form.get("dry_run") or "true").strip().lower()
    if dry_text not in {"true", "false", "1", "0"}:
        fields["dry_run"] = "Send true or false."
    source_key = (form.get("source") or "").strip() or None
    if source_key == "auto":
        source_key = None
    if source_key is not None and source_key not in SOURCES:
        fields["source"] = "Unknown source; leave it empty to detect it."
    unknown = sorted(set(form) - {"mode", "dry_run", "source"})
    for name in unknown:
        fields[name[:100]] = "Unknown field."
    if content is None:
        fields["file"] = "Choose a CSV file."
    unstorable = unstorable_field([*form.items(), ("file", filename or "")])
    if unstorable is not None:
        fields[unstorable[:100]] = UNSTORABLE
    if fields:
        raise ValidationError(fields)
    assert content is not None
    parsed = parse(content, source_key)
    mode = Mode(mode_text)
    if mode not in parsed.source.modes:
        raise ValidationError({"mode": "This file is a log of points: it can only add them."})
    return Upload(
        parsed=parsed,
        content=content,
        filename=(filename or "").replace("\\", "/").rsplit("/", 1)[-1][:255] or None,
        mode=mode,
        dry_run=dry_text in {"true", "1"},
    )


def create_run(
    sessions: sessionmaker[Session], shop_id: int, upload: Upload, *, staff_user_id: str | None
) -> int:
    """Record a queued run holding the file; its id."""
    with sessions.begin() as s:
        run = ImportRun(
            shop_id=shop_id,
            status=Status.QUEUED,
            mode=str(upload.mode),
            dry_run=upload.dry_run,
            source=upload.parsed.source.key,
            filename=upload.filename,
            file_hash=upload.parsed.content_hash,
            mapping=upload.parsed.mapping(),
            content=upload.content,
            actor=str(staff_user_id or "")[:100],
            total_rows=len(upload.parsed.rows),
            processed_rows=0,
            counts={},
        )
        s.add(run)
        s.flush()
        return run.id


def execute(
    sessions: sessionmaker[Session],
    run_id: int,
    directory_for: Callable[[int], Directory],
    hash_keys: HashKeys,
    now: datetime | None = None,
) -> list[int]:
    """Run a queued import to the end; the ids of members whose balance moved.

    ``directory_for(shop_id)`` gives where unknown customers are looked up. A run that is not
    queued (already run, or running elsewhere) is left alone.
    """
    run = _claim(sessions, run_id)
    if run is None:
        return []
    parsed = parse(run.content, run.source)
    rows = parsed.rows

    reported = 0

    def progress(done: int) -> None:
        # Matching customers is the first half of the work, applying the rows the second.
        nonlocal reported
        half = min(done, len(rows)) // 2
        if half > reported:
            reported = half
            _set_progress(sessions, run_id, half)

    resolved = resolve(sessions, run.shop_id, rows, directory_for(run.shop_id), progress)
    mark_same_customer(rows, resolved, parsed.source)
    counts: Counter[str] = Counter({o: 0 for o in Outcome.ALL})
    moved: list[int] = []
    planned: dict[int, int] = {}
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        with sessions.begin() as s:
            results = process(
                s,
                shop_id=run.shop_id,
                rows=chunk,
                resolved=resolved,
                source=parsed.source,
                mode=run.mode,
                apply=not run.dry_run,
                hash_keys=hash_keys,
                staff_user_id=run.actor,
                now=now,
                planned=planned,
            )
            s.add_all(_row(run_id, r) for r in results)
            counts.update(r.outcome for r in results)
            moved.extend(r.member_id for r in results if r.member_id is not None)
            done = start + len(chunk)
            # Matching customers was the first half of the work; this is the second.
            s.execute(
                update(ImportRun)
                .where(ImportRun.id == run_id)
                .values(processed_rows=(len(rows) + done) // 2, counts=dict(counts))
            )
    _finish(sessions, run_id, run, len(rows), counts, now)
    return moved


@dataclass(frozen=True)
class _ClaimedRun:
    """What executing a run needs, read when it was claimed."""

    shop_id: int
    content: bytes
    source: str
    mode: str
    dry_run: bool
    actor: str | None


def _claim(sessions: sessionmaker[Session], run_id: int) -> _ClaimedRun | None:
    """Mark a queued run ``running``; None if it was not queued (or has no file)."""
    with sessions.begin() as s:
        claimed = s.execute(
            update(ImportRun)
            .where(ImportRun.id == run_id, ImportRun.status == Status.QUEUED)
            .values(status=Status.RUNNING)
        ).rowcount  # type: ignore[attr-defined]
        run = s.get(ImportRun, run_id)
        if not claimed or run is None or run.content is None:
            return None
        return _ClaimedRun(
            shop_id=run.shop_id,
            content=run.content,
            source=run.source,
            mode=run.mode,
            dry_run=run.dry_run,
            actor=run.actor or None,
        )


def _finish(
    sessions: sessionmaker[Session],
    run_id: int,
    run: _ClaimedRun,
    total_rows: int,
    counts: Counter[str],
    now: datetime | None,
) -> None:
    """Mark the run done and drop its file; an applied run goes in the audit log."""
    with sessions.begin() as s:
        s.execute(
            update(ImportRun)
            .where(ImportRun.id == run_id)
            .values(
                status=Status.DONE,
                processed_rows=total_rows,
                counts=dict(counts),
                content=None,
                finished_at=now or utcnow(),
            )
        )
        if not run.dry_run:
            audit.record(
                s,
                run.shop_id,
                audit.ActorType.STAFF,
                run.actor,
                "import.applied",
                detail=f"run={run_id} source={run.source} mode={run.mode} rows={total_rows}",
            )


def fail(sessions: sessionmaker[Session], run_id: int, error: str) -> None:
    """Mark a run failed (a job gave up); the file is dropped, the rows done so far stay."""
    with sessions.begin() as s:
        s.execute(
            update(ImportRun)
            .where(ImportRun.id == run_id)
            .values(status=Status.FAILED, error=error[:200], content=None, finished_at=utcnow())
        )


def _set_progress(sessions: sessionmaker[Session], run_id: int, done: int) -> None:
    with sessions.begin() as s:
        s.execute(update(ImportRun).where(ImportRun.id == run_id).values(processed_rows=done))


def _row(run_id: int, r: RowResult) -> ImportRow:
    return ImportRow(
        run_id=run_id,
        line=r.line,
        outcome=r.outcome,
        email=r.email,
        customer_id=r.customer_id,
        points=r.points,
        points_from=r.points_from,
        points_to=r.points_to,
        error_code=r.error_code,
        message=r.message,
    )
