"""Pooled PostgreSQL connections are pinged at checkout only after they have rested.

A connection whose server went away while it rested in the pool is replaced before anyone
uses it; one that was in use a moment ago is handed out without a round trip (loyalty/core/db.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from loyalty.core import db
from loyalty.core.config import Config
from tests.support.config import EMBEDDED

pytestmark = pytest.mark.skipif(EMBEDDED, reason="the ping is PostgreSQL's pool's")


@pytest.fixture
def engine(config: Config) -> Iterator[Engine]:
    engine = db.make_engine(config)
    yield engine
    engine.dispose()


@pytest.fixture
def pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per ping the pool sends."""
    sent: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_conn: object) -> bool:
        sent.append(1)
        return ping(dbapi_conn)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return sent


def backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_used_a_moment_ago_is_not_pinged(engine, pings, monkeypatch):
    monkeypatch.setattr(db, "IDLE_BEFORE_PING", 60.0)
    first = backend_pid(engine)
    assert backend_pid(engine) == first
    assert pings == []


def test_a_rested_connection_is_pinged(engine, pings, monkeypatch):
    first = backend_pid(engine)
    monkeypatch.setattr(db, "IDLE_BEFORE_PING", 0.0)
    assert backend_pid(engine) == first
    assert pings == [1]


def test_a_rested_connection_whose_server_went_away_is_replaced(engine, pings, monkeypatch):
    first = backend_pid(engine)
    outside = create_engine(engine.url)
    try:
        with outside.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    finally:
        outside.dispose()
    monkeypatch.setattr(db, "IDLE_BEFORE_PING", 0.0)

    assert backend_pid(engine) != first  # no error: the pool replaced the dead connection
    assert len(pings) >= 1
