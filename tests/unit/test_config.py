"""Configuration comes from the environment variables DESIGN.md lists, with dev defaults."""

from __future__ import annotations

import pytest

from loyalty.core.config import DEMO_API_KEY, Config


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
            "SHOPIFY_API_KEY": "k",
            "SHOPIFY_API_SECRET": "s",
            "SHOPIFY_API_SECRET_PREVIOUS": "old",
            "APP_URL": "https://klubb.example.com/",
            "DATABASE_URL": "postgresql://db/klubb",
            "REDIS_URL": "redis://r:6379/0",
            "TOKEN_ENCRYPTION_KEYS": "k1, k2",
            "SHOPIFY_SHOP_URL_TEMPLATE": "http://127.0.0.1:8081/{shop}",
        }
    )
    assert config.secrets == ("s", "old")
    assert config.app_url == "https://klubb.example.com"
    assert config.sqlalchemy_url == "postgresql+psycopg://db/klubb"
    assert config.token_encryption_keys == ("k1", "k2")
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
    with pytest.raises(ValueError, match="WEBHOOK_BATCH_SIZE"):
        Config.from_env({"WEBHOOK_BATCH_SIZE": raw})


@pytest.mark.parametrize(
    ("raw", "window"), [("", 20), ("0", 0), (" 0 ", 0), ("5", 5), ("20000", 1000)]
)
def test_the_enqueue_window_comes_from_the_environment_within_bounds(raw, window):
    assert Config.from_env({"WEBHOOK_ENQUEUE_WINDOW_MS": raw}).webhook_enqueue_window_ms == window


@pytest.mark.parametrize("raw", ["-3", "soon", "0.5"])
def test_a_bad_enqueue_window_is_refused_by_name(raw):
    with pytest.raises(ValueError, match="WEBHOOK_ENQUEUE_WINDOW_MS"):
        Config.from_env({"WEBHOOK_ENQUEUE_WINDOW_MS": raw})
