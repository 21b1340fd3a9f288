"""The member page's points history says Klubb's own reasons in the admin's language.

The engine stores fixed English texts (``signup bonus``, ``order 6210000001001``); staff read
``reason_label``, while ``reason`` stays as stored for programs that read the API.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from admin.members_api import reason_label
from loyalty.core.models import Shop
from loyalty.members.staff import adjust_points
from loyalty.points.orders import apply_order
from loyalty.privacy.leave import FORFEIT_ON_LEAVING
from loyalty.privacy.redact import REDACTED
from tests.support.bodies import Line, order_body
from tests.support.fjellsko import SHOP
from tests.support.http import bearer
from tests.support.shops import SHOP_A

HASH_KEY = b"member-history-words"
ORDER = 6210000001001


@pytest.mark.parametrize(
    ("query", "bonus", "order"),
    [("", "Signup bonus", f"Order {ORDER}"), ("?locale=nb", "Innmeldingsbonus", f"Ordre {ORDER}")],
)
def test_the_engines_reasons_are_labelled_and_a_staff_reason_is_kept_as_typed(
    client, rt, shop_a, query, bonus, order
):
    apply_order(
        rt.sessions,
        shop_a,
        order_body(ORDER, [Line(1, "650.00")], customer_id=77),
        hash_key=HASH_KEY,
    )
    adjust_points(
        rt.sessions, shop_a, 77, {"points": 50, "reason": "Pakken kom sent"}, staff_user_id="9"
    )
    answer = client.get(f"/api/members/77{query}", headers=bearer(SHOP_A))
    assert answer.status_code == 200
    ledger = answer.get_json()["ledger"]
    assert {e["kind"]: (e["reason"], e["reason_label"]) for e in ledger} == {
        "bonus": ("signup bonus", bonus),
        "earn": (f"order {ORDER}", order),
        "adjust": ("Pakken kom sent", "Pakken kom sent"),
    }


@pytest.mark.parametrize(
    ("kind", "reason", "label"),
    [
        ("import", "Imported from Smile.io", "Importert fra Smile.io"),
        (
            "import",
            "Imported from Smile.io (balance set to 1250)",
            "Importert fra Smile.io (saldo satt til 1\xa0250)",
        ),
        ("expire", FORFEIT_ON_LEAVING, "Tapt: medlemmet meldte seg ut av klubben"),
        ("expire", "points expired after inactivity", "Utløpt etter en periode uten aktivitet"),
        ("redeem", "reward 12", "Belønning 12"),
        ("redeem_return", "code not created: THROTTLED", "Rabattkoden kunne ikke lages"),
        ("adjust", REDACTED, "Slettet"),
        ("adjust", "signup bonus", "signup bonus"),  # a staff member's words, whatever they are
        ("earn", "something new", "something new"),  # a reason without words yet: as stored
        ("earn", None, None),
    ],
)
def test_each_reason_the_engine_writes_reads_as_norwegian(app, kind, reason, label) -> None:
    with app.test_request_context("/?locale=nb"):
        assert reason_label(kind, reason) == label


def test_the_openapi_document_describes_the_reason_label(client, rt, shop_a) -> None:
    """Every field of a ledger entry the API answers with is in the schema, the label too."""
    apply_order(
        rt.sessions,
        shop_a,
        order_body(ORDER, [Line(1, "650.00")], customer_id=77),
        hash_key=HASH_KEY,
    )
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    entry = schemas["Member"]["properties"]["ledger"]["items"]
    assert "description" in entry["properties"]["reason_label"]
    ledger = client.get("/api/members/77", headers=bearer(SHOP_A)).get_json()["ledger"]
    assert {key for e in ledger for key in e} == set(entry["properties"])


@pytest.mark.browser
def test_the_member_page_shows_the_history_in_the_admins_language(
    page, screenshot, live_app, fake_shopify, rt
):
    """Norwegian labels for Klubb's reasons, the staff reason as typed, the order id once."""
    fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK", locale="nb")
    page.goto(fake_shopify.admin_app_url(SHOP))
    app = page.frame_locator("#app-iframe")
    expect(app.get_by_role("heading", name="Klubb", exact=True)).to_be_visible()
    with rt.sessions() as s:
        shop_id = s.query(Shop.id).filter_by(domain=SHOP).scalar()
    body = order_body(ORDER, [Line(1, "650.00")], customer_id=77)
    apply_order(rt.sessions, shop_id, body, hash_key=HASH_KEY)
    adjust_points(
        rt.sessions, shop_id, 77, {"points": 50, "reason": "Pakken kom sent"}, staff_user_id="9"
    )

    page.goto(fake_shopify.admin_app_url(SHOP, "/members/77"))
    rows = app.locator("#ledger-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Pakken kom sent")
    expect(app.locator("#ledger-table")).to_contain_text("Innmeldingsbonus")
    # The order as the merchant knows it (the sample body's name), linked once.
    order_row = rows.filter(has=app.get_by_role("link", name="#9999"))
    expect(order_row).to_contain_text("+650")
    assert str(ORDER) not in order_row.inner_text()
    expect(app.locator("#ledger-table")).not_to_contain_text("signup bonus")
    screenshot("admin-member-history-nb")
    assert page.js_errors == []
