"""Engine and session factory, built from configuration."""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

import psycopg
from sqlalchemy import Engine, alias, create_engine, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.selectable import NamedFromClause

from loyalty.core.config import Config


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


class DirectError(Exception):
    """A statement run through :class:`DirectConnections` failed (the database is down or
    refused it); the driver's own error is its ``__cause__``."""


CONNECT_TIMEOUT = 3
"""Seconds :class:`DirectConnections` waits for a new session: Shopify gives a webhook 5 s, and
a database it cannot reach in 3 is better answered with 503 (Shopify retries) than a timeout."""

DIRECT_APPLICATION_NAME = "klubb-intake"
"""How :class:`DirectConnections`' sessions show in ``pg_stat_activity``."""


class DirectConnections:
    """One psycopg connection per thread and process, in autocommit, for a hot one-statement path.

    The webhook intake runs one statement per delivery. Through SQLAlchemy (a pool checkout and
    checkin, the execution context, the result wrapper) that statement cost about 2.3 times
    the CPU of the same statement on a plain connection, a third of a delivery's cost
    (bench/RESULTS.md, docs/decisions.md). A gunicorn worker serves one request per thread
    at a time, so a connection per thread needs no pool. PostgreSQL only; SQLite keeps the
    engine.

    A connection is made on first use, in the process and thread that use it: a forked child
    never touches its parent's. One that broke (the database restarted) is replaced and the
    statement tried once more on the new one; a second failure raises :class:`DirectError`.
    """

    def __init__(self, engine: Engine) -> None:
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self._local = threading.local()
        self._lock = threading.Lock()
        self._made: list[tuple[int, psycopg.Connection[Any]]] = []
        """Every open connection, with the process that made it (a forked child's list holds
        its parent's too: those are never closed there, that would end the parent's session)."""

    def first(self, sql: str, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Run ``sql`` (``%(name)s`` placeholders) and return its first row, or None."""
        for attempt in (1, 2):
            conn = self._connection()
            try:
                row: tuple[Any, ...] | None = conn.execute(sql, params).fetchone()
                return row
            except psycopg.Error as err:
                if not conn.broken or attempt == 2:
                    raise DirectError(type(err).__name__) from err
                self._forget(conn)
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the connections this process made (all threads'), as ``Engine.dispose`` does."""
        pid = os.getpid()
        with self._lock:
            mine = [conn for owner, conn in self._made if owner == pid]
            self._made = [(owner, conn) for owner, conn in self._made if owner != pid]
            self._local = threading.local()
        for conn in mine:
            conn.close()

    def _forget(self, conn: psycopg.Connection[Any]) -> None:
        """Drop a broken connection; the thread's next statement makes a new one."""
        with self._lock:
            self._made = [(owner, made) for owner, made in self._made if made is not conn]
        self._local.conn = None
        conn.close()

    def _connection(self) -> psycopg.Connection[Any]:
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid() and not conn.closed:
            return conn
        try:
            conn = psycopg.connect(
                self._conninfo,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT,
                application_name=DIRECT_APPLICATION_NAME,
            )
        except psycopg.Error as err:
            self._local.conn = None
            raise DirectError(type(err).__name__) from err
        self._local.conn, self._local.pid = conn, os.getpid()
        with self._lock:
            self._made.append((os.getpid(), conn))
        return conn


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
