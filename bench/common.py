"""What every benchmark needs: a fresh PostgreSQL database, an installed shop, the app's
environment, and the plans of the SQL a piece of code runs. The app (or a bare Flask app) under
gunicorn, RQ workers and process memory are :mod:`bench.processes`; wrk and percentiles
:mod:`bench.load`; signed webhook bodies :mod:`bench.webhook_bodies`.

Benchmarks run on loopback only and are bounded in time. Ratios against a baseline measured
in the same run are what count (machines are noisy); absolute figures are reported with the
load that produced them.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, event

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://127.0.0.1:5432/test")
REDIS_BASE = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "7"))
SECRET = "bench-secret"  # noqa: S105 - signs loopback benchmark traffic only
SHOP = "bench-shop.myshopify.com"


def database_url(name: str) -> str:
    """A URL for database ``name`` on the benchmark's PostgreSQL server."""
    return re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL).replace(
        "postgresql://", "postgresql+psycopg://", 1
    )


def fresh_database(name: str) -> str:
    """Drop and create database ``name``; its SQLAlchemy URL."""
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def app_env(db_url: str, **extra: str) -> dict[str, str]:
    """The environment the app's processes run with."""
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": f"{REDIS_BASE}/{REDIS_DB}",
        "SHOPIFY_API_SECRET": SECRET,
        "SHOPIFY_API_KEY": "bench-key",
        "TOKEN_ENCRYPTION_KEYS": base64.urlsafe_b64encode(b"b" * 32).decode(),
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    return env


def prepare_app_database(db_url: str) -> None:
    """Migrate, flush the benchmark's Redis database and install the shop (no Shopify call)."""
    env = app_env(db_url)
    subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    code = (
        "from app import create_app; from runtime import current_runtime; "
        "from loyalty.shopify.client import TokenSet; from loyalty.shopify.shops import record_install; "
        "from loyalty.shopify.tokens import TokenCipher; from loyalty.core.types import utcnow; "
        "from datetime import timedelta; "
        "app = create_app(); ctx = app.app_context(); ctx.push(); rt = current_runtime(); "
        "now = utcnow(); "
        "t = TokenSet(access_token='bench', expires_at=now + timedelta(days=1), "
        "refresh_token='bench-r', refresh_expires_at=now + timedelta(days=30), "
        "scope='read_orders,read_customers'); "
        f"record_install(rt.sessions, TokenCipher.from_config(rt.config), {SHOP!r}, t)"
    )
    subprocess.run(
        [str(VENV_BIN / "python"), "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def explain_reads(
    engine: Engine, run: Callable[[], object], keep: Callable[[str], bool] = lambda _: True
) -> list[tuple[str, str]]:
    """Each read ``run()`` sends through ``engine`` (that ``keep`` keeps), with its
    EXPLAIN (ANALYZE, BUFFERS), run again afterwards on a connection of its own."""
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and keep(statement):
            captured.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    plans = []
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        for statement, params in captured:
            with raw.cursor() as cursor:  # type: ignore[union-attr]
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params or None)
                plans.append((statement, "\n".join(r[0] for r in cursor.fetchall())))
    return plans
