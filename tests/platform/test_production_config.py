"""Production refuses to start misconfigured: no demo credentials, no SQLite, no embedded Redis,
no generated key file, no placeholders in shopify_app.toml; every problem named at once.

Production is ``KLUBB_ENV=production``, or any APP_URL off loopback (unless
``KLUBB_ENV=development``). The processes are started through their real commands in
test_production_processes.py; here, the rules themselves and ``create_app``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from loyalty.core.config import DEMO_API_KEY, DEMO_API_SECRET, Config, ConfigError
from runtime import EXIT_CONFIG
from tests.support.config import TEST_KEYS

PUBLIC_URL = "https://klubb.fjellsko.no"
REQUIRED = (
    "SHOPIFY_API_KEY",
    "SHOPIFY_API_SECRET",
    "DATABASE_URL",
    "REDIS_URL",
    "TOKEN_ENCRYPTION_KEYS",
    "KLUBB_CUSTOMER_HASH_KEY",
)
COMPLETE = {
    "SHOPIFY_API_KEY": "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
    "SHOPIFY_API_SECRET": "shpss_not_the_demo",
    "DATABASE_URL": "postgresql://db.internal/klubb",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "TOKEN_ENCRYPTION_KEYS": ",".join(TEST_KEYS),
    "KLUBB_CUSTOMER_HASH_KEY": "a-long-random-stable-key",
}
"""Every variable production needs, none of them the demo's."""


@pytest.fixture
def filled_toml(tmp_path: Path) -> Path:
    """shopify_app.toml as an operator leaves it: their client id and URLs in place."""
    toml = (Path(__file__).resolve().parents[2] / "shopify_app.toml").read_text()
    filled = toml.replace(DEMO_API_KEY, COMPLETE["SHOPIFY_API_KEY"])
    path = tmp_path / "shopify_app.toml"
    path.write_text(filled.replace("https://klubb.example.com", PUBLIC_URL))
    return path


def problems(env: dict[str, str], **overrides: object) -> tuple[str, ...]:
    """What a start with this environment is refused for (nothing if it is accepted)."""
    try:
        Config.from_env(env, **overrides)
    except ConfigError as err:
        return err.problems
    return ()


def named(variable: str, found: tuple[str, ...]) -> bool:
    return any(problem.startswith(f"{variable} ") for problem in found)


@pytest.mark.parametrize(
    "env",
    [{"APP_URL": PUBLIC_URL}, {"KLUBB_ENV": "production"}],
    ids=["public APP_URL", "KLUBB_ENV=production on loopback"],
)
def test_production_with_nothing_set_names_every_missing_variable_and_the_placeholders(env):
    found = problems(env)
    assert all(named(variable, found) for variable in REQUIRED), found
    toml = [p for p in found if p.startswith("shopify_app.toml: ")]
    assert [p.split()[1] for p in toml] == ["client_id", "application_url", "redirect_urls"]
    assert len(found) == len(REQUIRED) + 3


def test_the_demo_key_and_secret_are_refused_even_when_set():
    env = {**COMPLETE, "APP_URL": PUBLIC_URL}
    env |= {"SHOPIFY_API_KEY": DEMO_API_KEY, "SHOPIFY_API_SECRET": DEMO_API_SECRET}
    found = problems(env)
    assert [p.split()[0] for p in found] == [
        "SHOPIFY_API_KEY",
        "SHOPIFY_API_SECRET",
        "shopify_app.toml:",
        "shopify_app.toml:",
        "shopify_app.toml:",
    ]
    assert "anyone can sign webhooks" in found[1]


def test_the_demo_secret_is_refused_as_the_previous_secret_too(filled_toml):
    env = {**COMPLETE, "APP_URL": PUBLIC_URL, "SHOPIFY_API_SECRET_PREVIOUS": DEMO_API_SECRET}
    assert [p.split()[0] for p in problems(env, app_toml_path=filled_toml)] == [
        "SHOPIFY_API_SECRET_PREVIOUS"
    ]


def test_blank_variables_count_as_missing():
    found = problems({"APP_URL": PUBLIC_URL, **dict.fromkeys(REQUIRED, " ")})
    assert all(named(variable, found) for variable in REQUIRED)


def test_a_complete_production_environment_with_a_filled_in_toml_is_accepted(filled_toml):
    config = Config.from_env({**COMPLETE, "APP_URL": PUBLIC_URL}, app_toml_path=filled_toml)
    assert config.production and not config.is_demo
    assert config.app_toml.client_id == COMPLETE["SHOPIFY_API_KEY"]


def test_production_refuses_a_plain_http_app_url_off_loopback(filled_toml):
    public_http = PUBLIC_URL.replace("https://", "http://")
    found = problems({**COMPLETE, "APP_URL": public_http}, app_toml_path=filled_toml)
    assert found == (
        "APP_URL must be an https URL in production (Shopify reaches apps only over HTTPS)",
    )
    # On loopback (a production-like local run) and in development, http stays allowed.
    loopback = {**COMPLETE, "KLUBB_ENV": "production", "APP_URL": "http://127.0.0.1:8000"}
    assert not named("APP_URL", problems(loopback, app_toml_path=filled_toml))
    development = {"APP_URL": public_http, "KLUBB_ENV": "development"}
    assert not named("APP_URL", problems(development))


def test_a_misspelt_klubb_env_counts_as_production():
    found = problems({"KLUBB_ENV": "prod"})
    assert found[0] == "KLUBB_ENV: Input should be 'production' or 'development'"
    assert all(named(variable, found) for variable in REQUIRED)


def test_a_development_run_on_a_public_url_is_allowed_when_said_so(tmp_path):
    """A developer's tunnel to a dev store: KLUBB_ENV=development keeps the embedded defaults."""
    config = Config.from_env(
        {"APP_URL": PUBLIC_URL, "KLUBB_ENV": "development"}, instance_path=tmp_path
    )
    assert not config.production and config.is_demo and config.database_url is None


def test_loopback_without_klubb_env_is_development():
    for url in ("http://127.0.0.1:8000", "http://localhost:5000", "http://[::1]:8000"):
        assert not Config.from_env({"APP_URL": url}).production


def test_no_production_config_without_its_secrets_reaches_create_app(config):
    """A Config is checked as it is built, so ``create_app`` is never handed a refused one."""
    with pytest.raises(ConfigError, match="SHOPIFY_API_SECRET is unset or the demo"):
        create_app(config.with_overrides(environment="production"))


def test_create_app_serves_a_complete_production_config(config, filled_toml):
    production = config.with_overrides(
        app_url=PUBLIC_URL,
        shopify_api_key=COMPLETE["SHOPIFY_API_KEY"],
        shopify_api_secret=COMPLETE["SHOPIFY_API_SECRET"],
        customer_hash_key=COMPLETE["KLUBB_CUSTOMER_HASH_KEY"],
        app_toml_path=filled_toml,
    )
    app = create_app(production)
    try:
        assert app.test_client().get("/healthz").status_code == 200
    finally:
        runtime = app.extensions["klubb"]
        runtime.engine.dispose()
        if runtime.direct is not None:
            runtime.direct.close()


def test_create_app_from_a_production_environment_exits_with_every_problem(monkeypatch, capsys):
    """What gunicorn's ``app:create_app()`` and ``flask --app app`` do: problems on stderr, exit 4."""
    monkeypatch.setenv("APP_URL", PUBLIC_URL)
    monkeypatch.delenv("KLUBB_ENV", raising=False)
    for variable in REQUIRED:
        monkeypatch.setenv(variable, "")  # blank: unset, and not filled in from a .env file
    with pytest.raises(SystemExit) as exited:
        create_app()
    assert exited.value.code == EXIT_CONFIG
    err = capsys.readouterr().err
    assert all(f"  - {variable} " in err for variable in REQUIRED)
    assert "Traceback" not in err
