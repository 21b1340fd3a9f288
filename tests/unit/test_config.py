"""Configuration comes from the environment variables DESIGN.md lists, with dev defaults.

The production rules (what a production start refuses) are in tests/platform/test_production_config.py.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from loyalty.core.config import DEMO_API_KEY, Config, ConfigError

# Fixed Fernet keys (32 url-safe base64 bytes): test ids must be the same in every xdist worker.
KEY_1, KEY_2 = (base64.urlsafe_b64encode(c * 32).decode() for c in (b"1", b"2"))


def test_defaults_are_the_embedded_dev_setup(tmp_path):
    config = Config.from_env({}, instance_path=tmp_path)
    assert config.shopify_api_key == DEMO_API_KEY
    assert config.app_url == "http://127.0.0.1:8000"
    assert config.sqlalchemy_url == f"sqlite:///{tmp_path / 'klubb.db'}"
    assert config.redis_url is None
    assert config.shop_origin("a.myshopify.com") == "https://a.myshopify.com"


def test_environment_variables_are_read():
    config = Config.from_env(
        {
            "KLUBB_ENV": "development",  # a public APP_URL is otherwise production
            "SHOPIFY_API_KEY": "k",
            "SHOPIFY_API_SECRET": "s",
            "SHOPIFY_API_SECRET_PREVIOUS": "old",
            "APP_URL": "https://klubb.example.com/",
            "DATABASE_URL": "postgresql://db/klubb",
            "REDIS_URL": "redis://r:6379/0",
            "TOKEN_ENCRYPTION_KEYS": f"{KEY_1}, {KEY_2}",
            "SHOPIFY_SHOP_URL_TEMPLATE": "http://127.0.0.1:8081/{shop}",
        }
    )
    assert config.secrets == ("s", "old")
    assert config.app_url == "https://klubb.example.com"
    assert config.sqlalchemy_url == "postgresql+psycopg://db/klubb"
    assert config.token_encryption_keys == (KEY_1, KEY_2)
    assert config.shop_origin("a.myshopify.com") == "http://127.0.0.1:8081/a.myshopify.com"
    assert not config.is_demo


def test_a_dev_encryption_key_is_generated_once(tmp_path):
    config = Config.from_env({}, instance_path=tmp_path)
    first = config.encryption_keys()
    assert config.encryption_keys() == first
    assert (tmp_path / "token_encryption.key").stat().st_mode & 0o077 == 0


def test_the_app_reads_its_scopes_topics_and_api_version_from_the_toml():
    toml = Config().app_toml
    assert toml.api_version == "2026-10"
    assert set(toml.compliance_topics) == {
        "customers/data_request",
        "customers/redact",
        "shop/redact",
    }
    assert "write_discounts" in toml.scopes
    assert (toml.proxy_prefix, toml.proxy_subpath) == ("apps", "klubb")


@pytest.mark.parametrize(("raw", "size"), [("", 50), ("1", 1), ("50", 50), ("9999", 500)])
def test_webhook_batch_size_comes_from_the_environment_within_bounds(raw, size):
    assert Config.from_env({"WEBHOOK_BATCH_SIZE": raw}).webhook_batch_size == size


@pytest.mark.parametrize("raw", ["0", "-3", "many"])
def test_a_bad_webhook_batch_size_is_refused_by_name(raw):
    with pytest.raises(ConfigError, match="WEBHOOK_BATCH_SIZE"):
        Config.from_env({"WEBHOOK_BATCH_SIZE": raw})


@pytest.mark.parametrize(
    ("raw", "window"), [("", 20), ("0", 0), (" 0 ", 0), ("5", 5), ("20000", 1000)]
)
def test_the_enqueue_window_comes_from_the_environment_within_bounds(raw, window):
    assert Config.from_env({"WEBHOOK_ENQUEUE_WINDOW_MS": raw}).webhook_enqueue_window_ms == window


@pytest.mark.parametrize("raw", ["-3", "soon", "0.5"])
def test_a_bad_enqueue_window_is_refused_by_name(raw):
    with pytest.raises(ConfigError, match="WEBHOOK_ENQUEUE_WINDOW_MS"):
        Config.from_env({"WEBHOOK_ENQUEUE_WINDOW_MS": raw})


@pytest.mark.parametrize(
    ("variable", "value", "setting", "expected"),
    [
        ("SHOPIFY_API_KEY", "key", "shopify_api_key", "key"),
        ("SHOPIFY_API_SECRET", "secret", "shopify_api_secret", "secret"),
        ("SHOPIFY_API_SECRET_PREVIOUS", "old", "shopify_api_secret_previous", "old"),
        ("APP_URL", "http://127.0.0.1:9000/", "app_url", "http://127.0.0.1:9000"),
        ("DATABASE_URL", "postgresql://db/klubb", "database_url", "postgresql://db/klubb"),
        ("REDIS_URL", "redis://r:6379/0", "redis_url", "redis://r:6379/0"),
        ("TOKEN_ENCRYPTION_KEYS", KEY_1, "token_encryption_keys", (KEY_1,)),
        ("SHOPIFY_SHOP_URL_TEMPLATE", "http://f/{shop}", "shop_url_template", "http://f/{shop}"),
        ("SHOPIFY_CDN_URL", "http://127.0.0.1:1/cdn/", "shopify_cdn_url", "http://127.0.0.1:1/cdn"),
        ("KLUBB_INSTANCE_PATH", "var/klubb", "instance_path", Path("var/klubb")),
        ("KLUBB_CUSTOMER_HASH_KEY", "stable", "customer_hash_key", "stable"),
        ("KLUBB_ENV", "development", "environment", "development"),
        ("WEBHOOK_BATCH_SIZE", "7", "webhook_batch_size", 7),
        ("WEBHOOK_ENQUEUE_WINDOW_MS", "5", "webhook_enqueue_window_ms", 5),
        ("RATE_LIMIT_PER_SHOP", "9", "rate_limit_per_shop", 9),
        ("RATE_LIMIT_PER_SHOPPER", "8", "rate_limit_per_shopper", 8),
        ("TWILIO_API_BASE", "http://127.0.0.1:1/", "twilio_api_base", "http://127.0.0.1:1"),
        ("SVEVE_API_BASE", "https://api.sveve.no", "sveve_api_base", "https://api.sveve.no"),
    ],
)
def test_each_documented_variable_keeps_its_name(variable, value, setting, expected):
    """DESIGN.md's and README.md's variables, each read under exactly its documented name."""
    assert getattr(Config.from_env({variable: value}), setting) == expected


def test_a_config_built_in_code_reads_no_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_URL", "http://localhost:9999")
    monkeypatch.setenv("DATABASE_URL", "postgresql://elsewhere/klubb")
    monkeypatch.setenv("WEBHOOK_BATCH_SIZE", "3")
    config = Config(instance_path=tmp_path)
    assert (config.app_url, config.database_url, config.webhook_batch_size) == (
        "http://127.0.0.1:8000",
        None,
        50,
    )
    read = Config.from_env()
    assert (read.app_url, read.database_url, read.webhook_batch_size) == (
        "http://localhost:9999",
        "postgresql://elsewhere/klubb",
        3,
    )


def test_other_variables_and_setting_names_in_the_environment_are_ignored():
    config = Config.from_env({"TESTING": "1", "testing": "1", "database_url": "sqlite://"})
    assert not config.testing and config.database_url is None


def test_an_unknown_setting_is_refused_by_name():
    with pytest.raises(ConfigError, match="webhook_batch: Extra inputs are not permitted"):
        Config(webhook_batch=5)


def test_overrides_are_checked_again():
    config = Config(webhook_batch_size=5)
    assert config.with_overrides(shopify_timeout=1.0).webhook_batch_size == 5
    with pytest.raises(ConfigError, match="WEBHOOK_BATCH_SIZE must be at least 1, not 0"):
        config.with_overrides(webhook_batch_size=0)


@pytest.mark.parametrize("app_url", ["ftp://127.0.0.1", "127.0.0.1:8000", "https://"])
def test_an_app_url_that_is_not_http_is_refused(app_url):
    with pytest.raises(ConfigError, match="APP_URL must be an http"):
        Config.from_env({"APP_URL": app_url})


def test_the_sms_providers_default_to_their_public_apis():
    config = Config.from_env({})
    assert (config.twilio_api_base, config.sveve_api_base) == (
        "https://api.twilio.com",
        "https://sveve.no",
    )
    with pytest.raises(ConfigError, match="TWILIO_API_BASE must be an http"):
        Config.from_env({"TWILIO_API_BASE": "api.twilio.com"})


def test_a_refusal_names_each_variable_but_never_its_value():
    secret_looking = "s3cr3t-value-that-is-no-key"
    with pytest.raises(ConfigError) as refused:
        Config.from_env(
            {"TOKEN_ENCRYPTION_KEYS": f"{KEY_1},{secret_looking}", "WEBHOOK_BATCH_SIZE": "-1"}
        )
    assert refused.value.problems == (
        "TOKEN_ENCRYPTION_KEYS key 2 of 2 is not a Fernet key (32 url-safe base64 bytes)",
        "WEBHOOK_BATCH_SIZE must be at least 1, not -1",
    )
    assert secret_looking not in str(refused.value) and KEY_1 not in str(refused.value)
