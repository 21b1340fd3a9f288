"""The member page's points history says why points moved in the admin's language.

Each entry stores a reason code and its parameters (``order`` with ``{"order_id": …}``,
``signup_bonus``); staff read ``reason_label``, made from them, while ``reason`` stays as
stored (a staff member's words, or Klubb's fixed English text) for programs that read the API.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from admin.members_api import reason_label
from loyalty.core.models import Shop
from loyalty.members.staff import adjust_points
from loyalty.points import reasons
from loyalty.points.orders import apply_order
from tests.support.bodies import Line, order_body
from tests.support.fjellsko import SHOP
from tests.support.http import bearer
from tests.support.shops import SHOP_A

HASH_KEY = b"member-history-words"
ORDER = 6210000001001


@pytest.mark.parametrize(
    ("query", "bonus", "order"),
    [("", "Signup bonus", "Order #9999"), ("?locale=nb", "Innmeldingsbonus", "Ordre #9999")],
)
def test_the_engines_reasons_are_labelled_and_a_staff_reason_is_kept_as_typed(
    client, rt, shop_a, query, bonus, order
):
    """The order is named as the merchant knows it (the sample body's ``#9999``)."""
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
    assert {
        e["kind"]: (e["reason_code"], e["reason_params"], e["reason"], e["reason_label"])
        for e in ledger
    } == {
        "bonus": ("signup_bonus", None, "signup bonus", bonus),
        "earn": ("order", {"order_id": str(ORDER)}, f"order {ORDER}", order),
        "adjust": ("staff_adjustment", None, "Pakken kom sent", "Pakken kom sent"),
    }


WORDS = [
    # code, params, stored text, English, Norwegian
    ("order", {"order_id": str(ORDER)}, None, f"Order {ORDER}", f"Ordre {ORDER}"),
    ("signup_bonus", None, None, "Signup bonus", "Innmeldingsbonus"),
    ("reward", {"reward_id": 12}, None, "Reward 12", "Belønning 12"),
    (
        "reward_code_not_created",
        {"error": "THROTTLED"},
        None,
        "The discount code could not be created",
        "Rabattkoden kunne ikke lages",
    ),
    (
        "reward_released",
        None,
        None,
        "The reserved reward was released",
        "Den reserverte belønningen ble frigitt",
    ),
    (
        "expiry",
        None,
        None,
        "Expired after a period without activity",
        "Utløpt etter en periode uten aktivitet",
    ),
    (
        "left_club",
        None,
        None,
        "Forfeited: the member left the club",
        "Tapt: medlemmet meldte seg ut av klubben",
    ),
    (
        "retention",
        None,
        None,
        "Forfeited: anonymised after a period without activity",
        "Tapt: anonymisert etter en periode uten aktivitet",
    ),
    ("import", {"source": "Smile.io"}, None, "Imported from Smile.io", "Importert fra Smile.io"),
    (
        "import_balance_set",
        {"source": "Smile.io", "points": 1250},
        None,
        "Imported from Smile.io (balance set to 1,250)",
        "Importert fra Smile.io (saldo satt til 1\xa0250)",
    ),
    ("birthday", {"year": 2026}, None, "Birthday reward", "Bursdagsbelønning"),
    (
        "social_follow",
        {"network": "instagram", "network_name": "Instagram"},
        None,
        "Followed us on Instagram",
        "Fulgte oss på Instagram",
    ),
    ("newsletter", None, None, "Newsletter signup", "Påmelding til nyhetsbrevet"),
    # VIP tiers (loyalty.club): an order earned in a tier, a tier's bonus and reward.
    (
        "order",
        {"order_id": str(ORDER), "tier": "Gull", "multiplier": "1.5"},
        None,
        f"Order {ORDER} · Gull ×1.5",  # noqa: RUF001
        f"Ordre {ORDER} · Gull ×1,5",  # noqa: RUF001
    ),
    (
        "tier_bonus",
        {"tier_id": 3, "tier": "Gull"},
        None,
        "Bonus for reaching Gull",
        "Bonus for å nå Gull",
    ),
    (
        "tier_bonus_reversed",
        {"tier_id": 3, "tier": "Gull"},
        None,
        "Bonus for Gull taken back",
        "Bonus for Gull trukket tilbake",
    ),
    (
        "tier_reward",
        {"tier_id": 3, "tier": "Gull", "period": "2026-12"},
        None,
        "Gull reward for 2026-12",
        "Gull-belønning for 2026-12",
    ),
    (
        "campaign_bonus",
        {"campaign_id": 4, "campaign": "Julesalg"},
        None,
        "Campaign bonus: Julesalg",
        "Kampanjebonus: Julesalg",
    ),
    (
        "referral",
        {"referral_id": 7, "order_id": "1001"},
        None,
        "A friend you referred placed a first order",
        "En venn du vervet, har lagt inn sin første bestilling",
    ),
    (
        "referral_reversed",
        {"referral_id": 7, "order_id": "1001"},
        None,
        "Referral reward taken back: the friend's order was cancelled",
        "Vervebelønning trukket tilbake: vennens bestilling ble kansellert",
    ),
    ("staff_adjustment", None, "Pakken kom sent", "Pakken kom sent", "Pakken kom sent"),
    # A staff member's words, whatever they are.
    ("staff_adjustment", None, "signup bonus", "signup bonus", "signup bonus"),
    ("staff_adjustment", None, None, "Erased", "Slettet"),  # erased with their member
    ("legacy", None, "something old", "something old", "something old"),
    ("legacy", None, None, "Erased", "Slettet"),
    ("from_a_newer_version", None, "its text", "its text", "its text"),  # as stored
]


@pytest.mark.parametrize(("code", "params", "text", "english", "norwegian"), WORDS)
def test_each_reason_code_reads_in_english_and_norwegian(
    app, code, params, text, english, norwegian
) -> None:
    for query, words in (("", english), ("?locale=nb", norwegian)):
        with app.test_request_context(f"/{query}"):
            assert reason_label(code, params, text) == words


def test_every_code_the_engine_writes_has_its_words_checked_above() -> None:
    assert {str(code) for code in reasons.ReasonCode} <= {code for code, *_ in WORDS}


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
