"""Headless Chromium for browser tests: one browser per session, one context per test.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright, with the flags it needs to
run as root in a container and to stay off the network. Shopify's CDN cannot be reached from
here, so ``https://cdn.shopify.com/shopifycloud/*`` is served from the local stand-ins in
``devtools/fake_shopify/cdn/`` and every other non-loopback request is refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from devtools.fake_shopify import CDN_DIR

ROOT = Path(__file__).resolve().parents[2]

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("KLUBB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


# Session scope: Playwright's sync API allows one running instance per thread, so every browser
# test in the run shares this one (a plugin: tests/conftest.py loads this module).
@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Chromium shared by every browser test."""
    if not Path(CHROMIUM).exists():
        # Not a skip: a suite that silently stops testing the browser is worse than a red one.
        pytest.fail(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (make test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


def _serve_cdn(route: object) -> None:
    """Answer a request for a Shopify CDN script with the stand-in file of the same name."""
    name = urlsplit(route.request.url).path.rsplit("/", 1)[-1]  # type: ignore[attr-defined]
    stand_in = CDN_DIR / name
    if name and stand_in.is_file():
        route.fulfill(  # type: ignore[attr-defined]
            path=str(stand_in), content_type="application/javascript; charset=utf-8"
        )
    else:
        route.fulfill(status=404, body="no stand-in for " + name)  # type: ignore[attr-defined]


def _refuse_external(route: object) -> None:
    host = urlsplit(route.request.url).hostname or ""  # type: ignore[attr-defined]
    if host in LOOPBACK:
        route.fallback()  # type: ignore[attr-defined]
    else:
        route.abort("blockedbyclient")  # type: ignore[attr-defined]


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page (own cookies and storage) with the CDN served from the stand-ins."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    context.set_default_timeout(10_000)
    # Assertions wait as long as actions do: on a loaded 2-core machine a page of the
    # embedded admin can take more than expect()'s default 5 s to appear.
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    # Routes registered later take precedence: the CDN route is tried before the refusal.
    context.route("**/*", _refuse_external)
    context.route("https://cdn.shopify.com/shopifycloud/**", _serve_cdn)
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda err: errors.append(str(err)))
    new_page.js_errors = errors  # type: ignore[attr-defined]
    yield new_page
    context.close()


@pytest.fixture
def screenshot(page: object) -> object:
    """``screenshot(name)`` saves the page to ``test-artifacts/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        return path

    return take
