"""The app built by the real factory for each test, and what tests reach it through."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from loyalty.core.config import Config
from loyalty.core.models import Base


@pytest.fixture
def app(config: Config) -> Iterator[Flask]:
    """The app, built by the real factory; tables are emptied after the test."""
    with built_app(config) as flask_app:
        yield flask_app


@contextmanager
def built_app(config: Config) -> Iterator[Flask]:
    """The app built by the real factory on ``config``; its tables and Redis db are emptied
    when the block ends (the ``app`` fixture, or a fixture of a wider scope)."""
    from app import create_app
    from runtime import current_runtime

    flask_app = create_app(config)
    try:
        yield flask_app
    finally:
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


@pytest.fixture
def dead_redis() -> redis.Redis:
    """A Redis client whose server never answers (fails fast, no retries)."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis(
        host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
