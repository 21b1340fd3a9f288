"""The merchant's campaign in the (fake) admin: builds a segment, writes and previews a campaign,
sends a test, schedules it for tomorrow morning and, once it went, sees its results.

The journey in English on a desktop; the three pages in Norwegian, 375 px wide and on a
desktop; each checked with axe-core.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from jobs.campaigns import start_due_campaigns
from loyalty.core.models import Campaign
from loyalty.core.types import utcnow
from loyalty.points.orders import apply_order
from tests.browser.admin_tour import visit
from tests.campaigns.campaign_api import no_quiet_hours, use_fake_twilio
from tests.campaigns.seed import add_member
from tests.support.axe import assert_accessible
from tests.support.bodies import Line, order_body
from tests.support.browser import admin_window
from tests.support.fjellsko import SHOP, shop_id
from tests.support.http import bearer
from tests.support.jobs import drain

pytestmark = pytest.mark.browser


def open_admin(page, fake_shopify, rt, client, sinks, locale="en"):
    """The app in the admin, Fjellsko's SMS provider the fake Twilio, three members with SMS
    consent (Kari and Per in Norwegian, Ola in English)."""
    fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK", locale=locale)
    page.goto(fake_shopify.admin_app_url(SHOP))
    app = page.frame_locator("#app-iframe")
    expect(app.locator("s-page")).to_be_visible()
    sid = shop_id(rt)
    for customer, name, language, phone in (
        (7001, "Kari", "nb", "91234567"),
        (7002, "Ola", "en", "41234567"),
        (7003, "Per", "nb", "98765432"),
    ):
        add_member(
            rt, sid, customer, first_name=name, language=language, sms_consent=True, phone=phone
        )
    use_fake_twilio(client, sinks, SHOP)
    no_quiet_hours(client, SHOP)
    return app


def test_a_merchant_builds_a_segment_writes_previews_and_schedules_a_campaign_then_sees_results(
    page, screenshot, live_app, fake_shopify, rt, app, client, sinks
):
    admin = open_admin(page, fake_shopify, rt, client, sinks)
    page.get_by_role("link", name="Campaigns").click()
    expect(admin.get_by_text("No campaigns yet.")).to_be_visible()
    admin.get_by_role("link", name="Create campaign").click()

    # The segment: everyone with at least 0 points, saved and chosen.
    admin.get_by_label("Segment name").fill("Alle med SMS")
    admin.get_by_label("Points from").fill("0")
    admin.get_by_role("button", name="Save segment").click()
    expect(admin.locator("#segment-count")).to_have_text("3 members in this segment.")

    admin.get_by_label("Campaign name").fill("Julesalg")
    admin.get_by_label("Message (Norwegian)").fill("Hei {first_name}! Julesalg i morgen. {fornavn}")
    admin.get_by_label("Message (English)").fill("Hi {first_name}! Christmas sale tomorrow.")
    admin.get_by_label("Kind of offer").select_option("bonus_points")
    admin.get_by_label("Bonus points").fill("50")
    admin.get_by_role("button", name="Preview").click()
    message = admin.locator('s-text-area[name="message.nb"]')
    expect(message).to_have_attribute(
        "error", "Unknown merge field {fornavn}: use {first_name}, {points}, {code}."
    )
    expect(admin.locator("#campaign-problem")).to_contain_text("Correct the fields marked below.")
    admin.get_by_label("Message (Norwegian)").fill(
        "Hei {first_name}! Julesalg i morgen, 50 bonuspoeng."
    )
    admin.get_by_role("button", name="Preview").click()
    preview = admin.locator("#campaign-preview")
    expect(preview).to_contain_text("Hei Kari! Julesalg i morgen, 50 bonuspoeng.")
    expect(preview).to_contain_text("Hi Ola! Christmas sale tomorrow.")
    expect(preview).to_contain_text("GSM-7")
    expect(admin.locator("#campaign-cost")).to_contain_text("SMS in all")
    screenshot("admin-campaign-preview")
    assert_accessible(page.frame(name="app-iframe"), "body")

    admin.get_by_label("Send a test to (phone or email)").fill("99 88 77 66")
    admin.get_by_role("button", name="Send test").click()
    expect(page.locator("#toasts")).to_contain_text("Test message sent")
    assert [sms.to for sms in sinks.twilio.messages] == ["+4799887766"]

    # Tomorrow at 07:00 (the form's default): scheduled, nothing sent yet.
    expect(admin.get_by_label("Time")).to_have_value("07:00")
    admin.get_by_role("button", name="Schedule campaign").click()
    expect(admin.locator("#campaign-state")).to_have_text("Scheduled")
    expect(admin.locator("#campaign-when")).to_contain_text("7:00")
    expect(admin.get_by_role("button", name="Pause")).to_be_visible()
    screenshot("admin-campaign-scheduled")
    assert_accessible(page.frame(name="app-iframe"), "body")

    # The morning comes: the sweep sends it; Kari walks into the shop 7 minutes after her SMS.
    with rt.sessions.begin() as s:
        s.execute(update(Campaign).values(send_at=utcnow()))
        campaign_id = s.scalar(select(Campaign.id))
    rt.queue("campaigns").enqueue(start_due_campaigns)
    drain(app, ["campaigns"])
    assert len(sinks.twilio.messages) == 4
    visit_at = (utcnow() + timedelta(minutes=7)).isoformat()
    order = order_body(6001, [Line(60010, "450.00")], customer_id=7001, source_name="pos")
    order["created_at"] = order["processed_at"] = visit_at
    apply_order(rt.sessions, shop_id(rt), order, hash_key=b"campaign-results")

    page.reload()
    expect(admin.locator("#campaign-state")).to_have_text("Sent")
    expect(admin.locator("#figure-sent")).to_have_text("3")
    expect(admin.locator("#figure-visits")).to_have_text("1")
    expect(admin.locator("#figure-revenue")).to_contain_text("450")
    admin.get_by_text("Show as a table").click()
    expect(admin.locator("#table-visits tbody tr").nth(1)).to_have_text("5–10 min1")  # noqa: RUF001 (the en dash of a range)
    screenshot("admin-campaign-results")
    assert_accessible(page.frame(name="app-iframe"), "body")

    page.get_by_role("link", name="Campaigns").click()
    rows = admin.locator("#campaigns-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Julesalg")
    expect(rows.first).to_contain_text("Sent")
    assert campaign_id is not None
    assert page.js_errors == []


@pytest.mark.parametrize("width", [375, 1280], ids=["375px", "desktop"])
def test_the_campaign_pages_in_norwegian(
    page, screenshot, live_app, fake_shopify, rt, client, sinks, width
):
    """The list, the editor with a preview and the results: Norwegian, axe clean, no sideways
    scroll."""
    page.set_viewport_size({"width": admin_window(width), "height": 900})
    open_admin(page, fake_shopify, rt, client, sinks, "nb")
    segment = client.post(
        "/api/segments",
        json={"name": "Alle", "filter": {}},
        headers=bearer(SHOP),
    ).get_json()
    with rt.sessions.begin() as s:
        s.add(
            Campaign(
                shop_id=shop_id(rt),
                name="Julesalg",
                channel="sms",
                segment_id=int(segment["id"]),
                message={"nb": "Hei {first_name}!", "en": "Hi {first_name}!"},
                state="scheduled",
                send_at=utcnow() + timedelta(days=1),
            )
        )
    with rt.sessions() as s:
        campaign_id = s.scalar(select(Campaign.id))
    app = page.frame_locator("#app-iframe")
    for path, text in (
        ("/campaigns", "Kampanjene dine"),
        ("/campaigns/new", "Nytt segment"),
        (f"/campaigns/{campaign_id}", "Butikkbesøk etter meldingen"),
    ):
        frame = visit(page, live_app, path, "nb")
        expect(app.locator("body")).to_contain_text(text)
        if path == "/campaigns/new":
            app.get_by_label("Kundesegment").select_option(label="Alle")
            app.get_by_label("Melding (norsk)").fill("Hei {first_name}! Æ Ø Å")
            app.get_by_label("Melding (engelsk)").fill("Hi {first_name}!")
            app.get_by_role("button", name="Forhåndsvisning").click()
            expect(app.locator("#campaign-preview")).to_contain_text("Hei Kari! Æ Ø Å")
        assert frame.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        assert_accessible(frame, "body")
        screenshot(f"admin-campaigns-nb-{width}{path.replace('/', '-')}")
    assert page.js_errors == []
