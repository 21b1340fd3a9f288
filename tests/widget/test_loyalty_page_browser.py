"""The loyalty page at ``/apps/klubb`` in the browser, through the proxy stand-in: readable with
JavaScript off (what a crawler or a slow phone sees), then the panel's interactive views."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.storefront.server import PROXY_PREFIX
from tests.support.axe import assert_accessible
from tests.support.browser import SCREENSHOTS
from tests.support.rewards import CUSTOMER, balance

pytestmark = pytest.mark.browser


def test_the_page_reads_without_javascript(browser: Any, storefront: Any, rewards: dict) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        response = plain.goto(storefront.url + PROXY_PREFIX)
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/html")
        page = plain.locator("[data-klubb-page]")
        assert plain.get_by_role("heading", level=1).inner_text() == "Rewards club"
        text = page.inner_text()
        for words in ("Ways to earn", "50 kr off", "10 % off everything", "Sign in"):
            assert words in text
        assert plain.title() == "Klubb"  # inside the theme's layout
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        plain.screenshot(
            path=str(SCREENSHOTS / "widget-loyalty-proxy-page-nojs.png"), full_page=True
        )
    finally:
        context.close()


def test_the_page_becomes_the_interactive_panel_for_a_member(
    page: Any, rt: Any, storefront: Any, member: int, rewards: dict, screenshot: Any
) -> None:
    storefront.customer_id = CUSTOMER
    page.goto(storefront.url + PROXY_PREFIX)
    inline = page.locator("[data-klubb-page]")
    inline.locator(".klubb-redeem").first.wait_for()  # the panel replaced the server's copy
    assert inline.locator(".klubb-body").count() == 1
    assert inline.locator(".klubb-points").inner_text() == "1,000"
    screenshot("widget-loyalty-proxy-page")
    assert_accessible(page, "[data-klubb-page]")
    inline.get_by_role("button", name="Redeem 50 kr off").click()
    inline.locator(".klubb-code-value").wait_for()
    assert balance(rt, member) == 500
    assert page.js_errors == []


def test_the_norwegian_page(page: Any, storefront: Any, member: int, rewards: dict) -> None:
    storefront.customer_id = CUSTOMER
    page.goto(storefront.url + "/nb" + PROXY_PREFIX)
    inline = page.locator("[data-klubb-page]")
    inline.locator(".klubb-redeem").first.wait_for()
    text = inline.inner_text()
    assert "Fordelsklubb" in text and "Dine poeng" in text
    assert_accessible(page, "[data-klubb-page]")


def test_with_the_embed_off_the_server_page_stays_and_passes_axe(
    page: Any, storefront: Any, member: int, rewards: dict, screenshot: Any
) -> None:
    """Without the app embed nothing replaces the page: it is the server's, and accessible."""
    storefront.customer_id = CUSTOMER
    storefront.embed_enabled = False
    page.goto(storefront.url + "/")  # the storefront's session: Shopify then signs the customer
    page.goto(storefront.url + PROXY_PREFIX)
    inline = page.locator("[data-klubb-page]")
    assert inline.locator(".klubb-body[data-view=member]").count() == 1
    assert inline.locator("button").count() == 0
    assert "500 points to go to Free shipping" in inline.inner_text()
    screenshot("widget-loyalty-proxy-page-server")
    assert_accessible(page, "[data-klubb-page]")
