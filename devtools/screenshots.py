"""Screenshots of the demo for the App Store listing and the docs: ``python -m devtools.screenshots``.

Starts ``flask --app app dev`` on the embedded defaults in a fresh instance folder (so the demo
shop is installed and its webhooks processed from scratch, as a newcomer's ``make dev`` does),
waits until the worker has processed every demo webhook, then drives Debian's Chromium
(:mod:`devtools.browser`) at 1600 by 900 pixels, Shopify's listing size: every admin page inside the fake
Shopify admin, in English and Norwegian, and the storefront widget as a member and as a guest.
PNGs go to ``docs/screenshots/<locale>/`` (``--out`` to change); everything it started is
stopped at the end. It also renders the app icon (``docs/listing/icon.svg``) to the 1200 by 1200
PNG the listing asks for, beside the SVG (``--icon-out`` to change). ``make screenshots`` runs it.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from devtools.browser import launch, offline
from devtools.demo_data import KARI
from devtools.dev import DEMO_SHOP
from devtools.storefront.server import Storefront
from loyalty.core.config import DEMO_API_SECRET

ROOT = Path(__file__).resolve().parents[1]
SIZE = {"width": 1600, "height": 900}
ADMIN_PAGES = {
    "home": "/",
    "members": "/members",
    "member": f"/members/{KARI.id}",
    "rewards": "/rewards",
    "tiers": "/tiers",
    "settings": "/settings",
    "appearance": "/appearance",
    "privacy-requests": "/privacy-requests",
}
"""Screenshot name → admin path (the member page is the demo's Kari)."""
TIMEOUT = 120.0
ICON = ROOT / "docs" / "listing" / "icon.svg"
ICON_SIZE = 1200


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--locales", default="en,nb")
    parser.add_argument("--icon-out", type=Path, default=ICON.with_suffix(".png"))
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="klubb-screenshots-") as instance,
        dev_server(Path(instance)) as (app_url, admin_url),
    ):
        saved = take_all(app_url, admin_url, args.out, args.locales.split(","), args.icon_out)
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def dev_server(instance: Path) -> Iterator[tuple[str, str]]:
    """``flask --app app dev`` in ``instance``; yields the app's URL and the demo admin's."""
    port = _free_port()
    app_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"KLUBB_INSTANCE_PATH": str(instance), "APP_URL": app_url, "PYTHONUNBUFFERED": "1"}
    ports = ["--fake-port", "--sink-port", "--smtp-port"]
    argv = [sys.executable, "-m", "flask", "--app", "app", "dev", "--port", str(port)]
    argv += [arg for name in ports for arg in (name, str(_free_port()))]
    dev = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        admin_url = _read_banner(dev)
        _wait_for_demo_data(instance / "klubb.db")
        yield app_url, admin_url
    finally:
        dev.send_signal(signal.SIGINT)
        try:
            dev.wait(timeout=30)
        except subprocess.TimeoutExpired:
            dev.kill()


def _read_banner(dev: subprocess.Popen[str]) -> str:
    """The demo admin's URL from the dev command's banner (its output is echoed on failure)."""
    seen: list[str] = []
    admin_url = None
    assert dev.stdout is not None
    for line in dev.stdout:
        seen.append(line)
        if line.strip().startswith("demo admin:"):
            admin_url = line.split("demo admin:", 1)[1].strip()
        if admin_url and line.strip().startswith("scheduler:"):
            return admin_url
    raise SystemExit("the dev command stopped before its banner:\n" + "".join(seen[-40:]))


def _wait_for_demo_data(database: Path) -> None:
    """Until every demo webhook is processed (the worker runs them after the banner)."""
    engine = create_engine(f"sqlite:///{database}")
    deadline = time.monotonic() + TIMEOUT
    query = text(
        "SELECT count(*), sum(status IN ('processed', 'ignored', 'rejected')) FROM webhook_events"
    )
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                total, done = conn.execute(query).one()
            if total and total == done:
                return
            time.sleep(0.5)
    finally:
        engine.dispose()
    raise SystemExit("the worker did not process the demo webhooks in time")


def take_all(
    app_url: str, admin_url: str, out: Path, locales: list[str], icon_out: Path
) -> list[Path]:
    """The icon, and every screenshot for every locale; returns the files written."""
    from playwright.sync_api import sync_playwright

    saved: list[Path] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            saved.append(render_icon(browser, ICON, icon_out))
            for locale in locales:
                folder = out / locale
                folder.mkdir(parents=True, exist_ok=True)
                saved += _admin(browser, app_url, admin_url, folder, locale)
                saved += _storefront(browser, app_url, folder, locale)
        finally:
            browser.close()
    return saved


def render_icon(browser: Any, svg: Path, png: Path) -> Path:
    """The SVG icon drawn by Chromium at its full size, as a PNG."""
    context = browser.new_context(viewport={"width": ICON_SIZE, "height": ICON_SIZE})
    page = context.new_page()
    page.set_content(
        f"<html><body style='margin:0'>{svg.read_text()}</body></html>", wait_until="load"
    )
    png.parent.mkdir(parents=True, exist_ok=True)
    page.locator("svg").screenshot(path=str(png))
    context.close()
    return png


def _page(browser: Any, locale: str) -> Any:
    context = browser.new_context(viewport=SIZE, locale="nb-NO" if locale == "nb" else "en-US")
    context.set_default_timeout(30_000)
    offline(context)
    return context.new_page()


def _admin(browser: Any, app_url: str, admin_url: str, folder: Path, locale: str) -> list[Path]:
    page = _page(browser, locale)
    page.goto(f"{admin_url}?locale={locale}")
    page.frame_locator("#app-iframe").locator("s-page").first.wait_for()
    frame = page.frame(name="app-iframe")
    saved = []
    for name, path in ADMIN_PAGES.items():
        frame.goto(f"{app_url}{path}?embedded=1&shop={DEMO_SHOP}&locale={locale}")
        frame.locator("s-page").first.wait_for()
        frame.wait_for_load_state("networkidle")
        frame.locator('[aria-busy="true"]').first.wait_for(state="detached")
        saved.append(_shot(page, folder / f"admin-{name}.png"))
    page.context.close()
    return saved


def _storefront(browser: Any, app_url: str, folder: Path, locale: str) -> list[Path]:
    saved = []
    for name, customer in (("widget-member", KARI.id), ("widget-guest", None)):
        front = Storefront(
            app_url=app_url, shop=DEMO_SHOP, secret=DEMO_API_SECRET, customer_id=customer
        ).start(port=0)
        try:
            page = _page(browser, locale)
            page.goto(f"{front.url}/" if locale == "en" else f"{front.url}/{locale}/")
            page.locator(".klubb-launcher").click()
            page.locator(".klubb-body[data-view]").wait_for()
            page.wait_for_load_state("networkidle")
            saved.append(_shot(page, folder / f"{name}.png"))
            page.context.close()
        finally:
            front.stop()
    return saved


def _shot(page: Any, path: Path) -> Path:
    page.screenshot(path=str(path))
    return path


if __name__ == "__main__":
    main()
