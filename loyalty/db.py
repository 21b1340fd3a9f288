"""Engine and session factory, built from configuration."""

from __future__ import annotations

import functools
import time
from typing import Any

from sqlalchemy import Engine, alias, create_engine, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.selectable import NamedFromClause

from loyalty.config import Config


def make_engine(config: Config) -> Engine:
    """An engine for DATABASE_URL, or for the SQLite file used by the embedded defaults."""
    url = config.sqlalchemy_url
    if url.startswith("sqlite"):
        config.instance_path.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_size=5, max_overflow=10)
    _ping_idle_connections(engine)
    return engine


IDLE_BEFORE_PING = 2.0
"""Seconds a pooled connection may rest before it is pinged at checkout."""


def _ping_idle_connections(engine: Engine) -> None:
    """Ping a pooled connection at checkout only when it has rested, not on every checkout.

    SQLAlchemy's ``pool_pre_ping`` costs a round trip per checkout: about a fifth of a webhook
    delivery's time (bench/intake.py). A connection that was in use a moment ago is as good
    as the ping would say; one that rested (the database may have restarted meanwhile) is
    pinged, and a failed ping makes the pool replace it, as ``pool_pre_ping`` would.
    """

    def rested(record: Any) -> bool:
        returned = record.info.get("returned_at")
        return returned is None or time.monotonic() - returned > IDLE_BEFORE_PING

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_conn: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if not rested(record):
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as err:
            raise exc.DisconnectionError("a pooled connection failed its ping") from err


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    """WAL lets the web process read while the worker writes; foreign keys are off by default."""
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # SQLite's own lower() folds ASCII only; searching "åse" must find "Åse" as on PostgreSQL.
    dbapi_conn.create_function(  # type: ignore[attr-defined]
        "lower", 1, _unicode_lower, deterministic=True
    )


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (views render them afterwards)."""
    return sessionmaker(engine, expire_on_commit=False)


@functools.cache
def excluded(model: type[Any]) -> NamedFromClause:
    """The ``excluded`` row of an ``ON CONFLICT DO UPDATE`` on ``model``'s table, made once.

    ``Insert.excluded`` builds a new alias of the whole table on every statement, which costs
    more than the rest of building a small upsert (and registers event listeners each time).
    """
    return alias(model.__table__, name="excluded")


def upsert(session: Session, model: type[Any]) -> postgresql.Insert | sqlite.Insert:
    """An ``INSERT`` that can say ``ON CONFLICT``, for the session's database."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"no ON CONFLICT for {dialect}")
