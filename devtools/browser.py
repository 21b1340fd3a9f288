"""Headless Chromium as the tests and the screenshot command drive it, off the network.

Chromium is Debian's (``/usr/bin/chromium``, or ``KLUBB_CHROMIUM``), driven by Playwright, with
the flags it needs to run as root in a container and to stay off the network. Shopify's CDN
cannot be reached from here, so ``https://cdn.shopify.com/shopifycloud/*`` is served from the
local stand-ins in ``devtools/fake_shopify/cdn/`` and every other non-loopback request is refused.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from devtools.fake_shopify import CDN_DIR

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


def launch(playwright: Any) -> Any:
    """Debian's Chromium, headless, with :data:`CHROMIUM_ARGS`."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def offline(context: Any) -> None:
    """Route ``context``'s requests: the CDN from the stand-ins, anything else off loopback refused."""
    # Routes registered later take precedence: the CDN route is tried before the refusal.
    context.route("**/*", _refuse_external)
    context.route("https://cdn.shopify.com/shopifycloud/**", _serve_cdn)


def _serve_cdn(route: Any) -> None:
    """Answer a request for a Shopify CDN script with the stand-in file of the same name."""
    name = urlsplit(route.request.url).path.rsplit("/", 1)[-1]
    stand_in = CDN_DIR / name
    if name and stand_in.is_file():
        route.fulfill(path=str(stand_in), content_type="application/javascript; charset=utf-8")
    else:
        route.fulfill(status=404, body="no stand-in for " + name)


def _refuse_external(route: Any) -> None:
    host = urlsplit(route.request.url).hostname or ""
    if host in LOOPBACK:
        route.fallback()
    else:
        route.abort("blockedbyclient")
