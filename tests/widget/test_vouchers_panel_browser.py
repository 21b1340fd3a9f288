"""A member sees how far the next spend voucher is, with a progress bar, and the vouchers they
have, with their codes, in the panel.

English and Norwegian storefronts, 375 px and desktop wide, axe clean. Two rules: spend 1,500 kr
this year for a 250 kr gift card, 1,000 kr for a 100 kr discount code; Kari has spent 1,250 kr,
so the code is hers (made in the fake Shopify by the voucher job) and the gift card 250 kr away.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from jobs.vouchers import enqueue_member_vouchers
from loyalty.club.voucher_catalogue import create_rule
from loyalty.core.models import Voucher
from loyalty.core.types import utcnow
from loyalty.points.orders import apply_order
from tests.support.axe import assert_accessible
from tests.support.bodies import Line, order_body
from tests.support.jobs import drain
from tests.support.rewards import CUSTOMER

pytestmark = pytest.mark.browser

RULES = (
    {"name": "Gift card", "threshold": "1500", "voucher": {"kind": "gift_card", "amount": "250"}},
    {"name": "Code", "threshold": "1000", "voucher": {"kind": "discount_code", "amount": "100"}},
)
TEXTS = {
    "en": (
        "NOK 250 more this year to a NOK 250 gift card",
        "Your vouchers",
        "NOK 100 discount code",
    ),
    "nb": (
        "Handle for 250 kr til i år, så får du et gavekort på 250 kr",
        "Dine gavekort og koder",
        "Rabattkode på 100 kr",
    ),
}


def plain(text: str | None) -> str:
    """The text with its no-break spaces (Intl puts them in amounts) as spaces."""
    return (text or "").replace("\xa0", " ").replace("\u202f", " ")


@pytest.fixture
def kari_near_a_voucher(rt: Any, shop_id: int) -> str:
    """The rules (made a day ago), Kari's paid order of 1,250 kr since, and the voucher job
    run; her discount code."""
    made = utcnow() - timedelta(days=1)
    for rule in RULES:
        create_rule(rt.sessions, shop_id, {"period": "calendar_year", **rule}, now=made)
    body = order_body(4501, [Line(45010, "1250.00")], customer_id=CUSTOMER)
    body["created_at"] = body["processed_at"] = (made + timedelta(hours=1)).isoformat()
    record = apply_order(rt.sessions, shop_id, body, hash_key=b"vouchers-panel")
    assert record.member_id is not None
    assert enqueue_member_vouchers(rt, record.member_id) == 1
    drain(rt)
    with rt.sessions() as s:
        code = s.scalar(select(Voucher.code).where(Voucher.state == "active"))
    assert code
    return str(code)


@pytest.mark.parametrize("width", [375, 1280], ids=["375px", "desktop"])
@pytest.mark.parametrize("language", ["en", "nb"])
def test_a_member_sees_the_next_voucher_and_their_code(
    page: Any,
    storefront: Any,
    kari_near_a_voucher: str,
    fake_shop: Any,
    open_panel: Any,
    screenshot: Any,
    language: str,
    width: int,
) -> None:
    storefront.customer_id = CUSTOMER
    page.set_viewport_size({"width": width, "height": 800})
    dialog = open_panel("/" if language == "en" else "/nb/")
    more, heading, code_title = TEXTS[language]
    text = plain(dialog.inner_text())
    assert more in text
    bar = dialog.get_by_role("progressbar", name=more)
    assert plain(bar.get_attribute("aria-valuetext")) == more
    assert [bar.get_attribute(f"aria-value{n}") for n in ("min", "max", "now")] == [
        "0",
        "1500",
        "1250",
    ]
    vouchers = dialog.get_by_role("heading", name=heading)
    vouchers.scroll_into_view_if_needed()
    assert plain(dialog.get_by_role("heading", name=code_title).inner_text()) == code_title
    assert kari_near_a_voucher in text
    assert fake_shop.discount_by_code(kari_near_a_voucher) is not None
    panel = dialog.bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= width
    assert page.evaluate("(d => d.scrollWidth <= d.clientWidth)(document.querySelector('dialog'))")
    screenshot(f"widget-vouchers-{language}-{width}")
    assert_accessible(page)
    assert page.js_errors == []
