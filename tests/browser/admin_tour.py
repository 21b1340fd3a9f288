"""Every page of the admin, opened one after another in the (fake) Shopify admin's frame.

Used by the accessibility and layout tests: each page is loaded as a link inside the admin
loads it (no ``id_token``; the staff member's language in ``locale``) and is ready once its
data has arrived (no element is ``aria-busy`` and the frame's network is idle).
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from loyalty.rewards.catalogue import create_reward
from tests.support.fjellsko import SHOP, add_members, shop_id

MEMBER = 7001  # Kari, added by add_members
PAGES = (
    "/",
    "/settings",
    "/rewards",
    "/tiers",
    "/stamp-cards",
    "/vouchers",
    "/campaigns",
    "/campaigns/new",
    "/members",
    f"/members/{MEMBER}",
    "/appearance",
    "/import",
    "/backfill",
    "/privacy-requests",
    "/failed-events",
)
"""Every page of the app: home, the pages of its navigation, and the member detail."""


def name_of(path: str) -> str:
    """A screenshot name for a path: ``/`` → ``home``, ``/members/7001`` → ``members-7001``."""
    return path.strip("/").replace("/", "-") or "home"


def open_shop(page: Any, fake_shopify: Any, rt: Any, locale: str = "en") -> Any:
    """Open the app in the admin (installing it), with a few members and two rewards."""
    fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK", locale=locale)
    page.goto(fake_shopify.admin_app_url(SHOP))
    app = page.frame_locator("#app-iframe")
    expect(app.locator("s-page")).to_be_visible()
    add_members(rt)
    for title in ("Free shipping on your next order", "A very long reward title " * 4):
        create_reward(
            rt.sessions, shop_id(rt), {"kind": "free_shipping", "title": title, "points_cost": 250}
        )
    return app


def visit(page: Any, live_app: str, path: str, locale: str = "en") -> Any:
    """Load ``path`` in the app's frame and wait until its data is shown; return the frame."""
    frame = page.frame(name="app-iframe")
    frame.goto(f"{live_app}{path}?embedded=1&shop={SHOP}&locale={locale}")
    app = page.frame_locator("#app-iframe")
    expect(app.locator("s-page").first).to_be_visible()
    frame.wait_for_load_state("networkidle")
    expect(app.locator('[aria-busy="true"]')).to_have_count(0)
    return frame
