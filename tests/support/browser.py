"""Headless Chromium for browser tests: one browser per session, one context per test.

Chromium, its flags and its routes off the network are :mod:`devtools.browser`'s (the
screenshot command drives the same browser).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.browser import CHROMIUM, launch, offline

ROOT = Path(__file__).resolve().parents[2]

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


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
        instance = launch(playwright)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page (own cookies and storage) with the CDN served from the stand-ins."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    context.set_default_timeout(10_000)
    # Assertions wait as long as actions do: on a loaded 2-core machine a page of the
    # embedded admin can take more than expect()'s default 5 s to appear.
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    offline(context)
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


def plain(text: str | None) -> str:
    """The text with its no-break spaces (Intl puts them in numbers and amounts) as spaces."""
    return (text or "").replace("\xa0", " ").replace("\u202f", " ")


ADMIN_SIDEBAR = 240
"""The fake admin's navigation beside the app's frame, from a 769 px window up; narrower, the
admin lays out as Shopify's does on a phone (the app full width, the nav a strip above it)."""


def admin_window(frame_width: int) -> int:
    """The window width that gives the fake admin's app frame ``frame_width``."""
    return frame_width if frame_width <= 768 else frame_width + ADMIN_SIDEBAR
