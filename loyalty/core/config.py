"""The one place configuration is read from the environment: :class:`Config`, typed and checked.

Every other module receives a :class:`Config` (or values taken from it); none reads
``os.environ``. :meth:`Config.from_env` reads the variables README.md lists and no others; a
``Config`` built in code (the tests, the dev command) reads no environment at all, so a stray
variable never changes a test. Every value is checked as a ``Config`` is built, and all problems
come together as one :class:`ConfigError` that names each variable, never its value.

Production (``KLUBB_ENV=production``, or an ``APP_URL`` that is not a loopback address unless
``KLUBB_ENV=development``) has no fallbacks: the demo app's key and secret, the SQLite file, the
embedded Redis and a generated key file are for development only, and ``shopify_app.toml`` must
no longer hold the repository's placeholders.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from cryptography.fernet import Fernet
from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    InitSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from loyalty.core.app_toml import APP_TOML, DEMO_CLIENT_ID, ROOT, AppToml
from loyalty.core.config_rules import (
    TOML,
    WHOLE_NUMBERS,
    ConfigError,
    config_error,
    http_url,
    https_in_production,
    in_production,
    needed,
    refused,
    whole_number,
)

__all__ = ["DEMO_API_KEY", "DEMO_API_SECRET", "ROOT", "AppToml", "Config", "ConfigError"]

# The demo app's credentials: used when SHOPIFY_API_KEY / SHOPIFY_API_SECRET are unset outside
# production, so `flask --app app dev` and the tests run with no Shopify account. Public, so never
# valid on Shopify, and refused in production: anyone could sign webhooks with this secret.
DEMO_API_KEY = DEMO_CLIENT_ID
DEMO_API_SECRET = "klubb-demo-secret-not-for-production"  # noqa: S105

DEFAULT_APP_URL = "http://127.0.0.1:8000"
DEFAULT_SHOP_URL_TEMPLATE = "https://{shop}"
DEFAULT_CDN_URL = "https://cdn.shopify.com"
DEFAULT_TWILIO_API_BASE = "https://api.twilio.com"
DEFAULT_SVEVE_API_BASE = "https://sveve.no"


class _Environment(EnvSettingsSource):
    """pydantic-settings' environment source over ``environ``, limited to Klubb's variables."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        names = {f.validation_alias for f in settings_cls.model_fields.values()}
        # Blank is unset, as it always was (`FOO= flask …` clears a variable).
        self._values = {k: v for k, v in environ.items() if k in names and v.strip()}
        super().__init__(settings_cls, case_sensitive=True)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return self._values


def _env(default: Any, variable: str) -> Any:
    """A field read from ``variable`` by :meth:`Config.from_env`."""
    return Field(default, validation_alias=variable)


class Config(BaseSettings):
    """Settings for one process: :meth:`from_env` in the processes, keywords in tests."""

    model_config = SettingsConfigDict(
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        validate_default=True,
    )

    # First: the rules for the fields after them depend on whether this is production.
    environment: Literal["production", "development"] | None = _env(None, "KLUBB_ENV")
    app_url: str = _env(DEFAULT_APP_URL, "APP_URL")
    shopify_api_key: str = _env(DEMO_API_KEY, "SHOPIFY_API_KEY")
    shopify_api_secret: str = _env(DEMO_API_SECRET, "SHOPIFY_API_SECRET")
    shopify_api_secret_previous: str | None = _env(None, "SHOPIFY_API_SECRET_PREVIOUS")
    # The stable key of tombstone hashes (loyalty.privacy.compliance); never rotated.
    customer_hash_key: str | None = _env(None, "KLUBB_CUSTOMER_HASH_KEY")
    database_url: str | None = _env(None, "DATABASE_URL")
    redis_url: str | None = _env(None, "REDIS_URL")
    token_encryption_keys: Annotated[tuple[str, ...], NoDecode] = _env((), "TOKEN_ENCRYPTION_KEYS")
    shop_url_template: str = _env(DEFAULT_SHOP_URL_TEMPLATE, "SHOPIFY_SHOP_URL_TEMPLATE")
    # Where App Bridge and Polaris are loaded from; the dev command points it at the fake Shopify.
    shopify_cdn_url: str = _env(DEFAULT_CDN_URL, "SHOPIFY_CDN_URL")
    instance_path: Path = _env(ROOT / "instance", "KLUBB_INSTANCE_PATH")
    # Webhook events per RQ job on the ``webhooks`` queue (1: a job per event; see
    # webhooks/batch.py). More amortises RQ's per-job cost when orders arrive in floods.
    webhook_batch_size: int = _env(50, "WEBHOOK_BATCH_SIZE")
    # After enqueueing a delivery, a web process gathers the next ones for this long and
    # enqueues them together (webhooks/enqueue_window.py); 0 enqueues each before its answer.
    webhook_enqueue_window_ms: int = _env(20, "WEBHOOK_ENQUEUE_WINDOW_MS")
    # The widget API's rate limits (widgets/ratelimit.py), requests per minute.
    rate_limit_per_shop: int = _env(3000, "RATE_LIMIT_PER_SHOP")
    rate_limit_per_shopper: int = _env(60, "RATE_LIMIT_PER_SHOPPER")
    # How often the outbox sweepers run (jobs/schedule.py), and how long an unfinished event or
    # a pending push waits before they queue it again (jobs/sweeper.py).
    outbox_sweep_seconds: int = _env(60, "OUTBOX_SWEEP_SECONDS")
    # The SMS providers' API origins (loyalty/campaigns/providers/); tests and the demo point
    # them at loopback fakes. The app appends /2010-04-01/Accounts/… and /SMS/SendMessage.
    twilio_api_base: str = _env(DEFAULT_TWILIO_API_BASE, "TWILIO_API_BASE")
    sveve_api_base: str = _env(DEFAULT_SVEVE_API_BASE, "SVEVE_API_BASE")

    # Not read from the environment: tests and the dev command set them.
    testing: bool = False
    # Seconds to wait on Shopify's token endpoint and Admin API before giving up.
    shopify_timeout: float = 10.0
    # Seconds to wait on an SMS provider's API or the merchant's SMTP server.
    messaging_timeout: float = 10.0
    # How long a redemption waits for Shopify before answering 202 (widgets/redemptions.py),
    # then the finishing job's retries in seconds, after which the points go back.
    redemption_wait_seconds: float = 3.0
    redemption_retry_intervals: tuple[int, ...] = (5, 30, 120, 300)
    # A reservation still ``reserved`` this long after it was made is settled by the upkeep job
    # (jobs/redemptions.py); longer than the finishing job's retries take.
    reservation_release_minutes: float = 15.0
    # Last: checked (in production) once everything above is.
    app_toml_path: Path = APP_TOML

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as err:
            raise config_error(err, _labels()) from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Keywords only: the environment is read by :meth:`from_env` and nowhere else."""
        return (init_settings,)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Read Klubb's variables (README.md); ``overrides`` win. Raises :class:`ConfigError`."""
        env = os.environ if environ is None else environ
        sources = (InitSettingsSource(cls, init_kwargs=overrides), _Environment(cls, env))
        return cls(_build_sources=(sources, overrides))

    def with_overrides(self, **overrides: Any) -> Config:
        """A copy with some settings changed, checked again."""
        values = {name: getattr(self, name) for name in self.model_fields_set}
        return type(self)(**(values | overrides))

    # Checks, in field order; each names its problem, never the value.

    @field_validator(
        "app_url", "shopify_cdn_url", "twilio_api_base", "sveve_api_base", mode="before"
    )
    @classmethod
    def _an_http_url(cls, value: Any) -> Any:
        return http_url(value) if isinstance(value, str) else value

    @field_validator("app_url")
    @classmethod
    def _https_in_production(cls, value: str, info: ValidationInfo) -> str:
        return https_in_production(value, in_production({**info.data, "app_url": value}))

    @field_validator("shopify_api_key", "shopify_api_secret", mode="before")
    @classmethod
    def _demo_credentials_outside_production(cls, value: Any, info: ValidationInfo) -> Any:
        key = info.field_name == "shopify_api_key"
        demo = DEMO_API_KEY if key else DEMO_API_SECRET
        if value in (None, ""):
            value = demo
        if value == demo and in_production(info.data):
            if key:
                raise needed("is unset or the demo app's public client id; production needs yours")
            raise needed(
                "is unset or the demo app's public secret (anyone can sign webhooks with it);"
                " production needs yours"
            )
        return value

    @field_validator(
        "shopify_api_secret_previous",
        "customer_hash_key",
        "database_url",
        "redis_url",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("shopify_api_secret_previous")
    @classmethod
    def _no_demo_secret_in_production(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value == DEMO_API_SECRET and in_production(info.data):
            raise needed("is the demo app's public secret: anyone could sign webhooks with it")
        return value

    @field_validator("customer_hash_key", "database_url", "redis_url")
    @classmethod
    def _set_in_production(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and in_production(info.data):
            fallback = {
                "database_url": "; the SQLite file in instance/ is for development only",
                "redis_url": "; the embedded Redis is for development only",
            }.get(str(info.field_name), "")
            raise needed(f"is not set, and production needs it{fallback}")
        return value

    @field_validator("token_encryption_keys", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(key.strip() for key in value.split(",") if key.strip())
        return value

    @field_validator("token_encryption_keys")
    @classmethod
    def _fernet_keys(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        if not value and in_production(info.data):
            raise needed(
                "is not set, and production needs it; a key generated into instance/ is for"
                " development only"
            )
        for number, key in enumerate(value, start=1):
            try:
                Fernet(key)
            except ValueError:
                raise refused(
                    f"key {number} of {len(value)} is not a Fernet key (32 url-safe base64 bytes)"
                ) from None
        return value

    @field_validator(*WHOLE_NUMBERS, mode="before")
    @classmethod
    def _whole_number_in_bounds(cls, value: Any, info: ValidationInfo) -> Any:
        return whole_number(value, *WHOLE_NUMBERS[str(info.field_name)])

    @field_validator("app_toml_path")
    @classmethod
    def _no_placeholders_in_production(cls, value: Path, info: ValidationInfo) -> Path:
        if in_production(info.data):
            try:
                placeholders = AppToml.load(value).placeholders()
            except (OSError, ValueError, KeyError) as err:
                raise refused(f"cannot be read ({type(err).__name__})") from None
            if placeholders:
                raise needed("\n".join(placeholders))
        return value

    @property
    def production(self) -> bool:
        """True for ``KLUBB_ENV=production``, or an APP_URL off loopback (unless development)."""
        return in_production({"environment": self.environment, "app_url": self.app_url})

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
        return AppToml.load(self.app_toml_path)


def _labels() -> dict[str, str]:
    """What each field is read from, for :func:`config_error`: its variable, or the toml."""
    labels = {name: str(f.validation_alias or name) for name, f in Config.model_fields.items()}
    return labels | {"app_toml_path": TOML}
