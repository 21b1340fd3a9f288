"""The member's own data in the panel: history, "my data" (see, correct, consents, download,
restrict, leave), by mouse and by keyboard, in English and Norwegian, through the proxy stand-in."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from loyalty.core.models import ConsentEvent, Member
from loyalty.points import reasons
from tests.support.axe import assert_accessible
from tests.support.rewards import CUSTOMER, give_points

pytestmark = pytest.mark.browser


def _member(rt: Any, member_id: int) -> Member:
    with rt.sessions() as s:
        member = s.get(Member, member_id)
        assert member is not None
        return member


@pytest.fixture
def kari(rt: Any, member: int) -> int:
    """The member fixture with a name and an email, as the customer webhook stores them."""
    with rt.sessions.begin() as s:
        row = s.get(Member, member)
        row.first_name, row.email, row.phone = "Kari", "kari@example.com", "+4791234567"
    return member


def _open_my_data(open_panel: Any, storefront: Any, path: str = "/") -> Any:
    storefront.customer_id = CUSTOMER
    dialog = open_panel(path)
    dialog.locator(".klubb-body[data-view=member]").wait_for()
    return dialog


def test_member_sees_history_and_data_changes_consent_downloads_restricts_and_leaves(
    page: Any,
    rt: Any,
    storefront: Any,
    kari: int,
    rewards: dict,
    open_panel: Any,
    screenshot: Any,
) -> None:
    dialog = _open_my_data(open_panel, storefront)

    dialog.get_by_role("button", name="Points history").click()
    history = dialog.locator(".klubb-body[data-view=history]")
    history.wait_for()
    assert "Adjustment" in history.inner_text()
    assert "Test points" in history.inner_text()  # the staff member's reason, as typed
    assert "+1,000 points" in history.inner_text()
    screenshot("widget-history")
    assert_accessible(page)
    dialog.get_by_role("button", name="Back").click()
    dialog.locator(".klubb-body[data-view=member]").wait_for()

    dialog.get_by_role("button", name="My data").click()
    view = dialog.locator(".klubb-body[data-view=my-data]")
    view.wait_for()
    text = view.inner_text()
    assert "kari@example.com" in text and "Kari" in text
    assert "Change these in your customer account." in text
    screenshot("widget-my-data")
    assert_accessible(page)

    # A consent, given with one click, is stored with its history.
    dialog.get_by_label("Offers by email").check()
    page.get_by_role("status").get_by_text("Saved").wait_for()
    assert _member(rt, kari).email_consent is True
    assert dialog.get_by_label("Offers by email").is_checked()
    with rt.sessions() as s:
        events = s.scalars(select(ConsentEvent).where(ConsentEvent.member_id == kari)).all()
    assert [(e.channel, e.granted, e.source) for e in events] == [("email", True, "widget")]

    # A correction of a Klubb-owned field.
    dialog.get_by_label("Preferred name").fill("Kari N.")
    dialog.get_by_label("Birthday").fill("1990-05-17")
    dialog.get_by_role("button", name="Save changes").click()
    page.get_by_role("status").get_by_text("Saved").wait_for()
    row = _member(rt, kari)
    assert (row.preferred_name, str(row.birthday)) == ("Kari N.", "1990-05-17")

    # Both downloads come through the app proxy as files.
    with page.expect_download() as got:
        dialog.get_by_role("link", name="Everything (JSON)").click()
    export = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert "kari@example.com" in json.dumps(export)
    assert got.value.suggested_filename.endswith(".json")
    with page.expect_download() as got:
        dialog.get_by_role("link", name="Points history (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) >= 2 and "1000" in rows[1]

    # Restrict, then lift the restriction.
    dialog.get_by_role("button", name="Pause membership").click()
    dialog.get_by_role("button", name="Resume membership").wait_for()
    assert _member(rt, kari).status == "restricted"
    assert "Your membership is paused" in view.inner_text()
    screenshot("widget-my-data-restricted")
    assert_accessible(page)
    dialog.get_by_role("button", name="Resume membership").click()
    dialog.get_by_role("button", name="Pause membership").wait_for()
    assert _member(rt, kari).status == "active"

    # Leaving asks first; Cancel keeps the membership.
    dialog.get_by_role("button", name="Leave the club", exact=True).click()
    confirm = dialog.get_by_role("button", name="Yes, leave the club")
    assert confirm.evaluate("el => el === document.activeElement")
    assert "Your 1,000 points will be lost" in view.inner_text()
    screenshot("widget-leave-confirm")
    assert_accessible(page)
    dialog.get_by_role("button", name="Cancel").click()
    dialog.get_by_role("button", name="Leave the club", exact=True).wait_for()
    assert _member(rt, kari).status == "active"
    dialog.get_by_role("button", name="Leave the club", exact=True).click()
    dialog.get_by_role("button", name="Yes, leave the club").click()
    dialog.locator(".klubb-body[data-view=non-member]").wait_for()
    page.get_by_role("status").get_by_text("You have left the club.").wait_for()
    left = _member(rt, kari)
    assert (left.status, left.points_balance, left.email) == ("anonymised", 0, None)
    screenshot("widget-left")
    assert page.js_errors == []


def test_my_data_by_keyboard_alone(
    page: Any, rt: Any, storefront: Any, kari: int, rewards: dict, open_panel: Any
) -> None:
    """Tab reaches "My data", Enter opens it, Space ticks a consent; focus stays in the dialog."""
    dialog = _open_my_data(open_panel, storefront)
    inside = "document.querySelector('dialog.klubb-panel').contains(document.activeElement)"

    def tab_to(name: str) -> None:
        for _ in range(30):
            page.keyboard.press("Tab")
            assert page.evaluate(inside)
            if page.evaluate("document.activeElement.textContent") == name:
                return
        pytest.fail(f"Tab never reached {name}")

    tab_to("My data")
    page.keyboard.press("Enter")
    dialog.locator(".klubb-body[data-view=my-data]").wait_for()
    assert page.evaluate("document.activeElement.tagName") == "H3"
    for _ in range(30):
        page.keyboard.press("Tab")
        assert page.evaluate(inside)
        if page.evaluate("document.activeElement.id").endswith("-c-sms"):
            break
    else:
        pytest.fail("Tab never reached the SMS consent")
    page.keyboard.press("Space")
    page.get_by_role("status").get_by_text("Saved").wait_for()
    assert _member(rt, kari).sms_consent is True
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.classList.contains('klubb-launcher')")


def test_norwegian_my_data_and_history(
    page: Any,
    rt: Any,
    shop_id: int,
    storefront: Any,
    kari: int,
    rewards: dict,
    open_panel: Any,
    screenshot: Any,
) -> None:
    give_points(rt, shop_id, CUSTOMER, 100, kind="bonus", reason=reasons.SIGNUP_BONUS)
    dialog = _open_my_data(open_panel, storefront, "/nb/")
    dialog.get_by_role("button", name="Poenghistorikk").click()
    dialog.locator(".klubb-body[data-view=history]").wait_for()
    assert "Justering" in dialog.inner_text()
    assert "Innmeldingsbonus" in dialog.inner_text()  # why, in the panel's language
    dialog.get_by_role("button", name="Tilbake").click()
    dialog.get_by_role("button", name="Mine data").click()
    view = dialog.locator(".klubb-body[data-view=my-data]")
    view.wait_for()
    text = view.inner_text()
    for words in ("Dette har vi lagret om deg", "Tilbud på e-post", "Sett på pause", "Meld deg ut"):
        assert words in text
    screenshot("widget-my-data-nb")
    assert_accessible(page)


def test_my_data_fits_320_px(
    page: Any, storefront: Any, kari: int, rewards: dict, open_panel: Any, screenshot: Any
) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    dialog = _open_my_data(open_panel, storefront)
    dialog.get_by_role("button", name="My data").click()
    dialog.locator(".klubb-body[data-view=my-data]").wait_for()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert page.evaluate("(d => d.scrollWidth <= d.clientWidth)(document.querySelector('dialog'))")
    dialog.get_by_role("button", name="Leave the club", exact=True).scroll_into_view_if_needed()
    screenshot("widget-my-data-320px")


def test_a_refresh_landing_late_keeps_the_leave_confirmation_open(
    page: Any, rt: Any, storefront: Any, kari: int, rewards: dict, open_panel: Any
) -> None:
    """The panel reloads the member's data after every change; a reload that lands after the
    shopper opened "Leave the club" redraws the view with the confirmation still open (it used
    to close it under the shopper's pointer)."""
    dialog = _open_my_data(open_panel, storefront)
    dialog.get_by_role("button", name="My data").click()
    dialog.locator(".klubb-body[data-view=my-data]").wait_for()

    held: list[Any] = []

    def hold_reloads(route: Any) -> None:
        if route.request.method == "GET":
            held.append(route)
        else:
            route.fallback()  # to the app proxy's stand-in

    page.route("**/api/me?locale=*", hold_reloads)
    dialog.get_by_label("Offers by email").check()  # PUT goes through; its reload is held
    for _ in range(200):  # route handlers run while Playwright waits
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    dialog.get_by_role("button", name="Leave the club", exact=True).click()
    dialog.get_by_role("button", name="Yes, leave the club").wait_for()
    held[0].fallback()

    page.get_by_role("status").get_by_text("Saved").wait_for()
    confirm = dialog.get_by_role("button", name="Yes, leave the club")
    assert confirm.is_visible()
    assert confirm.evaluate("el => el === document.activeElement")
    assert dialog.get_by_label("Offers by email").is_checked()  # drawn from the reload
    assert _member(rt, kari).status == "active"
    assert page.js_errors == []


def test_a_consent_ticked_by_keyboard_beside_an_open_leave_confirmation_keeps_its_focus(
    page: Any, rt: Any, storefront: Any, kari: int, rewards: dict, open_panel: Any
) -> None:
    """The reload after a change puts the focus back on the control the shopper used, never
    on "Yes, leave the club": a second Space un-ticks the box and does not end the membership."""
    dialog = _open_my_data(open_panel, storefront)
    dialog.get_by_role("button", name="My data").click()
    dialog.locator(".klubb-body[data-view=my-data]").wait_for()
    dialog.get_by_role("button", name="Leave the club", exact=True).click()
    dialog.get_by_role("button", name="Yes, leave the club").wait_for()

    sms = dialog.get_by_label("Offers by text message")
    sms.focus()
    page.keyboard.press("Space")
    page.get_by_role("status").get_by_text("Saved").wait_for()
    sms = dialog.get_by_label("Offers by text message")
    assert sms.is_checked()
    assert sms.evaluate("el => el === document.activeElement")
    assert dialog.get_by_role("button", name="Yes, leave the club").is_visible()

    page.keyboard.press("Space")
    page.get_by_role("status").get_by_text("Saved").wait_for()
    page.wait_for_load_state("networkidle")
    assert not dialog.get_by_label("Offers by text message").is_checked()
    assert _member(rt, kari).status == "active"

    # Cancel closes the confirmation and hands the focus back to "Leave the club".
    dialog.get_by_role("button", name="Cancel").click()
    leave = dialog.get_by_role("button", name="Leave the club", exact=True)
    leave.wait_for()
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.dataset.key === 'leave'"
    )
    assert page.js_errors == []


def test_offers_by_text_message_need_a_phone_number(
    page: Any, rt: Any, storefront: Any, member: int, rewards: dict, open_panel: Any
) -> None:
    """Shopify refuses SMS consent for a customer without a phone: the widget says why and
    the box stays unticked, rather than saying "Saved" for a consent Shopify never took."""
    dialog = _open_my_data(open_panel, storefront)
    dialog.get_by_role("button", name="My data").click()
    dialog.locator(".klubb-body[data-view=my-data]").wait_for()
    dialog.get_by_label("Offers by text message").click()
    page.get_by_role("status").get_by_text("Add a mobile number").wait_for()
    assert not dialog.get_by_label("Offers by text message").is_checked()
    assert _member(rt, member).sms_consent is False
    assert page.js_errors == []
