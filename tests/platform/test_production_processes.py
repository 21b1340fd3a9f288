"""Every process refuses a production environment that is not fit for it, the same way.

Started through their real commands (gunicorn, ``flask --app app``, the worker, the scheduler)
with a production-shaped environment: each exits with status 4 and one message naming every
problem at once, with no traceback. The rules themselves: test_production_config.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from loyalty.core.config import DEMO_API_KEY, DEMO_API_SECRET
from runtime import EXIT_CONFIG
from tests.support.config import TEST_KEYS, free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
KLUBB_VARIABLES = (
    "SHOPIFY_API_KEY",
    "SHOPIFY_API_SECRET",
    "SHOPIFY_API_SECRET_PREVIOUS",
    "DATABASE_URL",
    "REDIS_URL",
    "TOKEN_ENCRYPTION_KEYS",
    "KLUBB_CUSTOMER_HASH_KEY",
    "KLUBB_ENV",
    "APP_URL",
)
REQUIRED = KLUBB_VARIABLES[:2] + KLUBB_VARIABLES[3:7]
TIMEOUT = 180  # a refused start takes seconds; a start that is not refused would serve on


def production_env(**variables: str) -> dict[str, str]:
    """This environment without Klubb's variables (blank, so a .env cannot fill them in either)
    and a public APP_URL, plus ``variables``."""
    env = {k: v for k, v in os.environ.items() if k not in KLUBB_VARIABLES}
    env |= dict.fromkeys(KLUBB_VARIABLES, "")
    env |= {"APP_URL": "https://klubb.fjellsko.no", "PYTHONUNBUFFERED": "1", **variables}
    return env


def start(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def problems(output: str) -> list[str]:
    """The problems the refusal lists, one a line."""
    return [line.removeprefix("  - ") for line in output.splitlines() if line.startswith("  - ")]


ENTRY_POINTS = {
    "gunicorn": lambda: [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{free_port()}",
        "--workers",
        "2",
        "app:create_app()",
    ],
    "flask run": lambda: [str(BIN / "flask"), "--app", "app", "run", "--port", str(free_port())],
    "worker": lambda: [str(BIN / "flask"), "--app", "app", "worker", "--burst"],
    "scheduler": lambda: [sys.executable, "-m", "jobs.scheduler"],
}


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_each_process_refuses_production_without_its_variables(entry_point):
    done = start(ENTRY_POINTS[entry_point](), production_env())
    output = done.stdout + done.stderr
    assert done.returncode == EXIT_CONFIG, output
    assert output.count("Klubb cannot start") == 1, output
    found = problems(output)
    for variable in REQUIRED:
        assert any(p.startswith(f"{variable} ") for p in found), (variable, output)
    assert sum(p.startswith("shopify_app.toml: ") for p in found) == 3
    assert "Traceback" not in output


def test_the_worker_refuses_the_demo_credentials_and_the_placeholder_client_id():
    env = production_env(
        SHOPIFY_API_KEY=DEMO_API_KEY,
        SHOPIFY_API_SECRET=DEMO_API_SECRET,
        DATABASE_URL="postgresql://127.0.0.1:1/nothing",
        REDIS_URL="redis://127.0.0.1:1/0",
        TOKEN_ENCRYPTION_KEYS=",".join(TEST_KEYS),
        KLUBB_CUSTOMER_HASH_KEY="a-long-random-stable-key",
    )
    done = start([str(BIN / "flask"), "--app", "app", "worker", "--burst"], env)
    output = done.stdout + done.stderr
    assert done.returncode == EXIT_CONFIG, output
    assert [p.split(" ", 1)[0] for p in problems(output)] == [
        "SHOPIFY_API_KEY",
        "SHOPIFY_API_SECRET",
        "shopify_app.toml:",
        "shopify_app.toml:",
        "shopify_app.toml:",
    ]
    assert "client_id is the demo app's placeholder" in output
    assert DEMO_API_SECRET not in output and TEST_KEYS[0] not in output
