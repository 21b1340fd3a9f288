"""axe-core finds no serious or critical accessibility violation on any page of the admin."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.admin_tour import PAGES, name_of, open_shop, visit
from tests.support.axe import assert_accessible

pytestmark = pytest.mark.browser


def problems(frame) -> str | None:
    """axe's serious and critical violations in the frame's document, or None."""
    try:
        assert_accessible(frame, "body")
    except AssertionError as failed:
        return str(failed)
    return None


@pytest.mark.parametrize("locale", ["en", "nb"])
def test_every_admin_page_passes_axe(page, screenshot, live_app, fake_shopify, rt, locale):
    open_shop(page, fake_shopify, rt, locale)
    found = {}
    for path in PAGES:
        frame = visit(page, live_app, path, locale)
        found[path] = problems(frame)
        screenshot(f"admin-axe-{locale}-{name_of(path)}")

        if path == "/rewards":
            # The reward form, opened from the list.
            app = page.frame_locator("#app-iframe")
            app.locator("#reward-new").click()
            expect(app.locator("#reward-form")).to_be_visible()
            found["/rewards (form)"] = problems(frame)
            screenshot(f"admin-axe-{locale}-rewards-form")

    assert {path: bad for path, bad in found.items() if bad} == {}
    assert page.js_errors == []
