"""A shopper sees their VIP tier, the progress to the next, and every tier's perks, in the panel.

English and Norwegian storefronts, 375 px and desktop wide, axe clean. The shop's ladder counts
money spent (NOK); Kari has spent 1,250 kr: Silver, 1,250 kr from Gold.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from loyalty.club.tier_catalogue import create_tier
from loyalty.core.types import utcnow
from loyalty.points.orders import apply_order
from tests.support.axe import assert_accessible
from tests.support.bodies import Line, order_body
from tests.support.browser import plain
from tests.support.rewards import CUSTOMER

pytestmark = pytest.mark.browser

LADDER = (
    {"name": "Bronze", "threshold": "0"},
    {"name": "Silver", "threshold": "1000", "earn_multiplier": "1.25", "perks": "Free shipping"},
    {
        "name": "Gold",
        "threshold": "2500",
        "earn_multiplier": "1.5",
        "perks": {"en": "Early access to sales", "nb": "Tidlig tilgang til salg"},
    },
)
TEXTS = {
    "en": ("Your tier: Silver", "NOK 1,250 to Gold", "Member tiers", "Early access to sales"),
    "nb": (
        "Ditt nivå: Silver",
        "1 250 kr til Gold",
        "Medlemsnivåer",
        "Tidlig tilgang til salg",
    ),
}
TIMES = {"en": "1.5\u00d7 points", "nb": "1,5\u00d7 poeng"}


@pytest.fixture
def kari_in_silver(rt: Any, shop_id: int) -> None:
    """The ladder (made a day ago), and Kari's paid order of 1,250 kr placed since."""
    made = utcnow() - timedelta(days=1)
    for tier in LADDER:
        create_tier(rt.sessions, shop_id, {"basis": "spend", **tier}, now=made)
    body = order_body(4401, [Line(44010, "1250.00")], customer_id=CUSTOMER)
    body["created_at"] = body["processed_at"] = (made + timedelta(hours=1)).isoformat()
    apply_order(rt.sessions, shop_id, body, hash_key=b"tiers-panel")


@pytest.mark.parametrize("width", [375, 1280], ids=["375px", "desktop"])
@pytest.mark.parametrize("language", ["en", "nb"])
def test_a_member_sees_their_tier_the_progress_and_the_perks(
    page: Any,
    storefront: Any,
    kari_in_silver: None,
    open_panel: Any,
    screenshot: Any,
    language: str,
    width: int,
) -> None:
    storefront.customer_id = CUSTOMER
    page.set_viewport_size({"width": width, "height": 800})
    dialog = open_panel("/" if language == "en" else "/nb/")
    tier, to_next, heading, perks = TEXTS[language]
    text = plain(dialog.inner_text())
    assert tier in text and to_next in text
    bar = dialog.get_by_role("progressbar")
    assert plain(bar.get_attribute("aria-valuetext")) == to_next
    assert [bar.get_attribute(f"aria-value{n}") for n in ("min", "max", "now")] == [
        "1000",
        "2500",
        "1250",
    ]
    assert bar.evaluate("el => getComputedStyle(el.firstChild).width") != "0px"
    tiers = dialog.get_by_role("heading", name=heading)
    tiers.scroll_into_view_if_needed()
    assert perks in text and ("Free shipping" in text)
    assert TIMES[language] in text
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("(d => d.scrollWidth <= d.clientWidth)(document.querySelector('dialog'))")
    screenshot(f"widget-tiers-{language}-{width}")
    assert_accessible(page)
    assert page.js_errors == []


def test_a_guest_sees_the_tiers_and_their_perks(
    page: Any, storefront: Any, kari_in_silver: None, open_panel: Any
) -> None:
    dialog = open_panel()
    text = plain(dialog.inner_text())
    assert "Member tiers" in text and "From NOK 2,500" in text and "Early access to sales" in text
    assert dialog.get_by_role("progressbar").count() == 0
    assert_accessible(page)
