"""The admin home's setup guide (issue #24, item 15): four steps ticked from what Klubb and the
live theme say, put away and brought back; ``/api/setup-guide`` through a session token, and
the page in Chromium in English and Norwegian, at 375 px and on a desktop, axe clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from loyalty.core.config import DEMO_API_KEY
from tests.support.axe import assert_accessible
from tests.support.http import bearer
from tests.support.shops import SHOP


def guide(client):
    answer = client.get("/api/setup-guide", headers=bearer(SHOP))
    assert answer.status_code == 200
    return answer.get_json()


@pytest.mark.embedded
def test_a_new_shop_has_every_server_step_open_and_the_guide_out(client, shop):
    assert guide(client) == {"dismissed": False, "reward_created": False, "program_reviewed": False}


def test_a_reward_and_saved_settings_tick_their_steps(client, shop, make_reward):
    make_reward()
    saved = client.put("/api/settings", json={"signup_bonus": 150}, headers=bearer(SHOP))
    assert saved.status_code == 200, saved.get_json()
    assert guide(client) == {"dismissed": False, "reward_created": True, "program_reviewed": True}


def test_the_guide_is_put_away_and_brought_back(client, shop):
    put = client.put("/api/setup-guide", json={"dismissed": True}, headers=bearer(SHOP))
    assert put.status_code == 200 and put.get_json()["dismissed"] is True
    assert guide(client)["dismissed"] is True
    client.put("/api/setup-guide", json={"dismissed": False}, headers=bearer(SHOP))
    assert guide(client)["dismissed"] is False


@pytest.mark.parametrize(
    "body", [{"dismissed": "yes"}, {}, {"dismissed": True, "colour": "red"}, {"dismissed": None}]
)
def test_a_bad_body_is_422_field_by_field(client, shop, body):
    answer = client.put("/api/setup-guide", json=body, headers=bearer(SHOP))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"]


def test_another_shop_cannot_see_or_change_it(client, shop):
    assert client.get("/api/setup-guide").status_code == 401


@pytest.mark.browser
@pytest.mark.parametrize(
    ("locale", "width", "heading", "progress", "dismiss", "restore"),
    [
        (
            "en",
            1280,
            "Set up your club",
            "1 of 4 steps done",
            "Dismiss the guide",
            "Show the setup guide",
        ),
        (
            "nb",
            375,
            "Sett opp kundeklubben",
            "1 av 4 steg er gjort",
            "Skjul veiledningen",
            "Vis oppsettsveiledningen",
        ),
    ],
)
def test_the_merchant_follows_the_guide_and_puts_it_away(
    page, screenshot, live_app, fake_shopify, locale, width, heading, progress, dismiss, restore
):
    page.set_viewport_size({"width": width, "height": 900})
    shop = fake_shopify.add_shop(SHOP, name="Klubb Test", currency="NOK", locale=locale)
    shop.theme_blocks["app-embed"] = "active"  # the launcher is on; the page block is not
    page.goto(fake_shopify.admin_app_url(SHOP))
    app = page.frame_locator("#app-iframe")
    section = app.locator("#setup-guide")
    expect(section.get_by_role("heading", name=heading)).to_be_visible()
    expect(app.locator("#setup-progress")).to_have_text(progress)
    expect(section.locator('[data-step="embed"]')).to_have_attribute("data-done", "true")
    expect(section.locator('[data-step="page"]')).to_have_attribute("data-done", "false")
    page_link = section.locator('[data-step="page"] .k-step-action')
    expect(page_link).to_have_attribute(
        "href",
        f"https://{SHOP}/admin/themes/current/editor?template=page"
        f"&addAppBlockId={DEMO_API_KEY}/loyalty-page&target=newAppsSection",
    )
    expect(section.locator('[data-step="embed"] .k-step-action')).to_be_hidden()
    screenshot(f"admin-setup-guide-{locale}-{width}")
    frame = page.locator("#app-iframe").element_handle().content_frame()
    assert_accessible(frame, "s-page")

    section.get_by_role("button", name=dismiss).click()
    expect(section).to_be_hidden()
    app.get_by_role("link", name=restore).click()
    expect(section).to_be_visible()
    page.reload()
    expect(app.locator("#setup-guide")).to_be_visible()
    assert page.js_errors == []


def test_a_load_from_shopify_paints_the_guide_as_it_stays(client, installed_shop, fake_shopify):
    """With the load's session token the page knows the guide's state: no jump when the API
    answers. Without one (a link inside the app) it shows the guide and asks the API."""
    installed_shop(tokens=True)
    client.put("/api/setup-guide", json={"dismissed": True}, headers=bearer(SHOP))
    token = fake_shopify.session_token(SHOP)
    html = client.get(f"/?embedded=1&shop={SHOP}&id_token={token}").get_data(as_text=True)
    assert 'id="setup-guide" aria-labelledby="setup-heading" hidden' in html
    assert '<s-paragraph id="setup-restore">' in html
    plain = client.get(f"/?embedded=1&shop={SHOP}").get_data(as_text=True)
    assert 'id="setup-guide" aria-labelledby="setup-heading">' in plain
