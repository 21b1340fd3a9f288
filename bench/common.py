"""What every benchmark needs: a fresh PostgreSQL database, an installed shop, the app (or a
bare Flask app) under gunicorn, RQ workers, wrk, signed webhook bodies and process memory.

Benchmarks run on loopback only and are bounded in time. Ratios against a baseline measured
in the same run are what count (machines are noisy); absolute figures are reported with the
load that produced them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import requests
from sqlalchemy import Engine, event

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://127.0.0.1:5432/test")
REDIS_BASE = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "7"))
SECRET = "bench-secret"  # noqa: S105 - signs loopback benchmark traffic only
SHOP = "bench-shop.myshopify.com"
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
GUNICORN_THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "1"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    def worker_pids(self) -> list[int]:
        """The gunicorn workers (children of the arbiter)."""
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict[str, str]) -> Iterator[Server]:
    """``app_spec`` under gunicorn, the same settings for every benchmark: sync workers
    (``BENCH_GUNICORN_WORKERS``, 4), or gthread with ``BENCH_GUNICORN_THREADS`` above 1."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "-w",
            str(GUNICORN_WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--backlog",
            "2048",
            # More than one thread makes gunicorn use its gthread worker (sync otherwise).
            *(["--threads", str(GUNICORN_THREADS)] if GUNICORN_THREADS > 1 else []),
            app_spec,
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/healthz", timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{app_spec} did not start") from None
                time.sleep(0.2)
        yield Server(process, url)
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def workers(
    count: int, queues: str, env: dict[str, str]
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` of the app's forking RQ workers on ``queues``."""
    procs = [
        subprocess.Popen(
            [
                str(VENV_BIN / "rq"),
                "worker",
                "-w",
                "jobs.worker.AppWorker",
                "-q",
                "--url",
                env["REDIS_URL"],
                *queues.split(","),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        time.sleep(3)  # let them import the app and register
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def rss_mib(pid: int) -> float:
    """Resident memory of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def sign(body: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


def webhook_headers(topic: str, event_id: str, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Hmac-Sha256": sign(body),
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Webhook-Id": event_id,
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
        "X-Shopify-API-Version": "2026-01",
    }


def order_body(order_id: int, customer_id: int, amount: int) -> dict[str, Any]:
    """A paid online order of one line, ``amount`` NOK, no shipping or tax (earns ``amount``)."""
    now = datetime.now(UTC) - timedelta(minutes=5)
    price = f"{amount}.00"
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "currency": "NOK",
        "financial_status": "paid",
        "subtotal_price": price,
        "subtotal_price_set": {"shop_money": {"amount": price, "currency_code": "NOK"}},
        "total_price": price,
        "line_items": [{"id": order_id * 10, "price": price, "quantity": 1, "gift_card": False}],
        "refunds": [],
        "discount_codes": [],
        "customer": {
            "id": customer_id,
            "admin_graphql_api_id": f"gid://shopify/Customer/{customer_id}",
        },
        "created_at": now.isoformat(),
        "processed_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "test": False,
        "source_name": "web",
    }


@dataclass
class WrkResult:
    requests_per_s: float
    latency_ms: dict[str, float]
    non_2xx: int
    errors: str


def _ms(value: str) -> float:
    number = float(re.match(r"[\d.]+", value).group(0))  # type: ignore[union-attr]
    if value.endswith("us"):
        return number / 1000
    if value.endswith("ms"):
        return number
    if value.endswith("s"):
        return number * 1000
    return number


def run_wrk(
    url: str,
    script: str,
    env: dict[str, str],
    *,
    seconds: int,
    connections: int,
    threads: int = 2,
) -> WrkResult:
    """Run wrk with ``bench/<script>`` against ``url`` (``env`` added to this environment)."""
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / script),
            url,
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.MULTILINE)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return WrkResult(
        rate, latency, int(non_2xx.group(1)) if non_2xx else 0, errors.group(1) if errors else ""
    )


def wrk(
    url: str,
    body: bytes,
    topic: str,
    *,
    seconds: int,
    connections: int,
    delay_ms: float = 0.0,
    threads: int = 2,
) -> WrkResult:
    """Run wrk against ``url`` posting ``body`` (signed) with a fresh event id per request."""
    body_file = ROOT / "bench" / ".wrk-body.json"
    body_file.write_bytes(body)
    env = {
        "BENCH_BODY_FILE": str(body_file),
        "BENCH_HMAC": sign(body),
        "BENCH_TOPIC": topic,
        "BENCH_SHOP": SHOP,
        "BENCH_RUN": str(time.time_ns()),
        "BENCH_DELAY_MS": str(delay_ms),
    }
    try:
        return run_wrk(
            url, "webhook.lua", env, seconds=seconds, connections=connections, threads=threads
        )
    finally:
        body_file.unlink(missing_ok=True)


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


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


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
