"""Reading the database back: generic scans over every table, and the privacy rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, Table, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import Base, PrivacyRequest, Tombstone


def text_columns() -> Iterator[tuple[Table, Any]]:
    """Every column of every table that can hold text: strings, text, binary and JSON."""
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | LargeBinary | JSON):
                yield table, column


def as_text(value: Any) -> str:
    """A column value as searchable text (bytes decoded, JSON serialised)."""
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def cells_containing(sessions: sessionmaker[Session], needles: tuple[str, ...]) -> list[str]:
    """``table.column`` of every cell, in any table, that contains one of the needles."""
    lowered = [n.lower() for n in needles]
    found = []
    with sessions() as s:
        for table, column in text_columns():
            for value in s.execute(select(column).where(column.is_not(None))).scalars():
                text = as_text(value).lower()
                found += [f"{table.name}.{column.name}" for n in lowered if n in text]
    return found


def privacy_requests(sessions: sessionmaker[Session], kind: str | None = None) -> list[Any]:
    """Every PrivacyRequest row (of one kind), oldest first."""
    with sessions() as s:
        query = select(PrivacyRequest).order_by(PrivacyRequest.id)
        if kind:
            query = query.where(PrivacyRequest.kind == kind)
        return list(s.scalars(query))


def tombstones(sessions: sessionmaker[Session]) -> list[Tombstone]:
    """Every tombstone row."""
    with sessions() as s:
        return list(s.scalars(select(Tombstone)))
