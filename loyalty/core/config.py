"""The one place configuration is read from the environment.

Every other module receives a :class:`Config` (or values taken from it); none reads
``os.environ``. Tests build a ``Config`` with overrides and hand it to ``create_app``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
APP_TOML = ROOT / "shopify_app.toml"

# The demo app's credentials: used when SHOPIFY_API_KEY / SHOPIFY_API_SECRET are unset, so
# `flask --app app dev` and the tests run with no Shopify account. Never valid on Shopify.
DEMO_API_KEY = "0d5e5c1f0b8a4c7e9a3b2f6d1c4e8a7b"
DEMO_API_SECRET = "klubb-demo-secret-not-for-production"  # noqa: S105

DEFAULT_APP_URL = "http://127.0.0.1:8000"
DEFAULT_SHOP_URL_TEMPLATE = "https://{shop}"
DEFAULT_CDN_URL = "https://cdn.shopify.com"
# The widget API's rate limits (widgets/ratelimit.py), requests per minute; unset: its defaults.
RATE_LIMIT_VARIABLES = {
    "RATE_LIMIT_PER_SHOP": "rate_limit_per_shop",
    "RATE_LIMIT_PER_SHOPPER": "rate_limit_per_shopper",
}


def _positive_int(name: str, raw: str) -> int:
    """``raw`` as a whole number above zero; a clear error naming ``name`` otherwise."""
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


@dataclass(frozen=True)
class AppToml:
    """What the app reads from ``shopify_app.toml``: scopes, webhook topics, API version, proxy."""

    client_id: str
    scopes: tuple[str, ...]
    api_version: str
    topics: tuple[str, ...]
    compliance_topics: tuple[str, ...]
    proxy_prefix: str
    proxy_subpath: str
    handle: str

    @classmethod
    def load(cls, path: Path = APP_TOML) -> AppToml:
        """Parse the toml the Shopify CLI deploys, so the app and Shopify agree on it."""
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        topics: list[str] = []
        compliance: list[str] = []
        for sub in data.get("webhooks", {}).get("subscriptions", []):
            topics.extend(sub.get("topics", []))
            compliance.extend(sub.get("compliance_topics", []))
        proxy = data.get("app_proxy", {})
        scopes = data.get("access_scopes", {}).get("scopes", "")
        return cls(
            client_id=data.get("client_id", ""),
            scopes=tuple(s.strip() for s in scopes.split(",") if s.strip()),
            api_version=data["webhooks"]["api_version"],
            topics=tuple(topics),
            compliance_topics=tuple(compliance),
            proxy_prefix=proxy.get("prefix", "apps"),
            proxy_subpath=proxy.get("subpath", "klubb"),
            handle=data.get("handle", "klubb"),
        )


@dataclass(frozen=True)
class Config:
    """Settings for one process. Build it with :meth:`from_env`; tests use :meth:`with_overrides`."""

    shopify_api_key: str = DEMO_API_KEY
    shopify_api_secret: str = DEMO_API_SECRET
    shopify_api_secret_previous: str | None = None
    # KLUBB_CUSTOMER_HASH_KEY: the stable key of tombstone hashes (loyalty.privacy.compliance); never rotated.
    customer_hash_key: str | None = None
    app_url: str = DEFAULT_APP_URL
    database_url: str | None = None
    redis_url: str | None = None
    token_encryption_keys: tuple[str, ...] = ()
    shop_url_template: str = DEFAULT_SHOP_URL_TEMPLATE
    # Where App Bridge and Polaris are loaded from; the dev command points it at the fake Shopify.
    shopify_cdn_url: str = DEFAULT_CDN_URL
    instance_path: Path = ROOT / "instance"
    testing: bool = False
    # Seconds to wait on Shopify's token endpoint and Admin API before giving up.
    shopify_timeout: float = 10.0
    # Webhook events per RQ job on the ``webhooks`` queue (1: a job per event; see
    # webhooks/batch.py). More amortises RQ's per-job cost when orders arrive in floods.
    webhook_batch_size: int = 50
    # After enqueueing a delivery, a web process gathers the next ones for this long and
    # enqueues them together (webhooks/enqueue_window.py); 0 enqueues each before its answer.
    webhook_enqueue_window_ms: int = 20
    # OUTBOX_SWEEP_SECONDS: how often the outbox sweepers run (jobs/schedule.py), and how long
    # an unfinished event or a pending push waits before they queue it again (jobs/sweeper.py).
    outbox_sweep_seconds: int = 60
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Read the variables DESIGN.md lists; unset ones fall back to the dev defaults."""
        env = os.environ if environ is None else environ
        keys = tuple(
            k.strip() for k in env.get("TOKEN_ENCRYPTION_KEYS", "").split(",") if k.strip()
        )
        values: dict[str, Any] = {
            "shopify_api_key": env.get("SHOPIFY_API_KEY") or DEMO_API_KEY,
            "shopify_api_secret": env.get("SHOPIFY_API_SECRET") or DEMO_API_SECRET,
            "shopify_api_secret_previous": env.get("SHOPIFY_API_SECRET_PREVIOUS") or None,
            "customer_hash_key": env.get("KLUBB_CUSTOMER_HASH_KEY") or None,
            "app_url": (env.get("APP_URL") or DEFAULT_APP_URL).rstrip("/"),
            "database_url": env.get("DATABASE_URL") or None,
            "redis_url": env.get("REDIS_URL") or None,
            "token_encryption_keys": keys,
            "shop_url_template": env.get("SHOPIFY_SHOP_URL_TEMPLATE") or DEFAULT_SHOP_URL_TEMPLATE,
            "shopify_cdn_url": (env.get("SHOPIFY_CDN_URL") or DEFAULT_CDN_URL).rstrip("/"),
        }
        if env.get("KLUBB_INSTANCE_PATH"):
            values["instance_path"] = Path(env["KLUBB_INSTANCE_PATH"])
        if env.get("WEBHOOK_BATCH_SIZE"):
            values["webhook_batch_size"] = min(
                500, _positive_int("WEBHOOK_BATCH_SIZE", env["WEBHOOK_BATCH_SIZE"])
            )
        if env.get("WEBHOOK_ENQUEUE_WINDOW_MS"):
            window = env["WEBHOOK_ENQUEUE_WINDOW_MS"]
            values["webhook_enqueue_window_ms"] = (
                0
                if window.strip() == "0"
                else min(1000, _positive_int("WEBHOOK_ENQUEUE_WINDOW_MS", window))
            )
        if env.get("OUTBOX_SWEEP_SECONDS"):
            values["outbox_sweep_seconds"] = _positive_int(
                "OUTBOX_SWEEP_SECONDS", env["OUTBOX_SWEEP_SECONDS"]
            )
        extra = {
            key: _positive_int(name, env[name])
            for name, key in RATE_LIMIT_VARIABLES.items()
            if env.get(name)
        }
        if extra:
            values["extra"] = extra
        values.update(overrides)
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> Config:
        """A copy with some settings changed."""
        return replace(self, **overrides)

    @property
    def is_demo(self) -> bool:
        """True when running with the demo app's credentials (dev and tests)."""
        return self.shopify_api_secret == DEMO_API_SECRET

    @property
    def sqlalchemy_url(self) -> str:
        """DATABASE_URL, or a SQLite file in the instance folder."""
        if self.database_url:
            url = self.database_url
            # Heroku-style URLs name the driver "postgres"; we use psycopg 3.
            if url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgres://")
            elif url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        return f"sqlite:///{self.instance_path / 'klubb.db'}"

    @property
    def secrets(self) -> tuple[str, ...]:
        """Secrets accepted on incoming signatures: the current one, then the previous one."""
        if self.shopify_api_secret_previous:
            return (self.shopify_api_secret, self.shopify_api_secret_previous)
        return (self.shopify_api_secret,)

    def encryption_keys(self) -> tuple[str, ...]:
        """TOKEN_ENCRYPTION_KEYS, or (dev only) a key generated once into the instance folder."""
        if self.token_encryption_keys:
            return self.token_encryption_keys
        key_file = self.instance_path / "token_encryption.key"
        if not key_file.exists():
            self.instance_path.mkdir(parents=True, exist_ok=True)
            key_file.write_bytes(Fernet.generate_key())
            key_file.chmod(0o600)
        return (key_file.read_text().strip(),)

    def shop_origin(self, shop: str) -> str:
        """The origin of a shop's OAuth and Admin API endpoints (the fake Shopify in tests)."""
        return self.shop_url_template.format(shop=shop).rstrip("/")

    @cached_property
    def app_toml(self) -> AppToml:
        """The parsed ``shopify_app.toml``."""
        return AppToml.load()
