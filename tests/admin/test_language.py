"""The admin speaks the staff member's language: Shopify's ``locale``, else the browser's."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from errors import translated
from loyalty.core.models import Shop
from loyalty.rewards.catalogue import create_reward
from tests.support.fjellsko import ORDER_ID, SHOP, add_members
from tests.support.http import HOST, bearer, embedded_url
from tests.support.shops import SHOP_A


@pytest.mark.embedded
@pytest.mark.parametrize("locale", ["nb", "nb-NO", "no"])
def test_a_norwegian_admin_gets_norwegian_pages(client, locale):
    html = client.get(embedded_url("/members", locale=locale)).get_data(as_text=True)
    assert '<html lang="nb">' in html
    assert ">Medlemmer</s-link>" in html
    assert ">Programinnstillinger</s-link>" in html


def test_without_a_locale_the_browser_language_decides(client):
    html = client.get(
        embedded_url("/members"), headers={"Accept-Language": "nb-NO,nb;q=0.9,en;q=0.5"}
    ).get_data(as_text=True)
    assert ">Medlemmer</s-link>" in html
    english = client.get(embedded_url("/members"), headers={"Accept-Language": "de-DE"})
    assert ">Members</s-link>" in english.get_data(as_text=True)
    assert '<html lang="en">' in english.get_data(as_text=True)


def test_links_between_pages_keep_the_language(client):
    html = client.get(embedded_url("/members/77", locale="nb-NO")).get_data(as_text=True)
    assert f'href="/members?embedded=1&amp;shop={SHOP_A}&amp;host={HOST}&amp;locale=nb"' in html


@pytest.mark.parametrize(
    ("path", "norwegian"),
    [
        ("/members", ['<s-page heading="Medlemmer">', ">Eksporter CSV<", 'label="Søk"']),
        (
            "/members/77",
            ['<s-page heading="Medlem"', 'heading="Poenghistorikk"', "<dt>Fødselsdag</dt>"],
        ),
        ("/rewards", ['<s-page heading="Belønninger"', ">Opprett belønning<", "Gratis frakt"]),
        ("/settings", ['<s-page heading="Programinnstillinger"', 'label="Velkomstrabatt"']),
    ],
)
def test_each_page_is_in_norwegian_for_a_norwegian_admin(client, path, norwegian):
    html = client.get(embedded_url(path, locale="nb")).get_data(as_text=True)
    for text in norwegian:
        assert text in html
    english = client.get(embedded_url(path, locale="en")).get_data(as_text=True)
    assert not any(text in english for text in norwegian)


def test_the_texts_the_pages_script_shows_are_norwegian_too(client):
    html = client.get(embedded_url("/members", locale="nb")).get_data(as_text=True)
    match = re.search(r'<script type="application/json" id="page-text">(.*?)</script>', html)
    assert match is not None
    texts = json.loads(match.group(1))
    assert texts["active"] == "Aktiv"
    assert texts["page"] == "Side {number}"


def test_error_pages_follow_the_browser_language(client):
    nb = {"Accept-Language": "nb-NO"}
    page = client.get("/members?shop=not-a-shop", headers=nb)
    assert page.status_code == 400
    assert "<h1>Dette er ikke en Shopify-butikk</h1>" in page.get_data(as_text=True)
    install = client.get("/auth/install?shop=not-a-shop", headers=nb)
    assert install.status_code == 400
    assert "Feil 400" in install.get_data(as_text=True)
    landing = client.get("/", headers=nb).get_data(as_text=True)
    assert "Klubb: et lojalitetsprogram for Shopify" in landing


# The API's 422 messages come from the domain in English; the admin layer answers in the
# language the page asks for (common.js sends Accept-Language: <html lang>).

NB = {"Accept-Language": "nb"}


def test_settings_errors_are_in_the_language_asked_for(client, shop_a):
    bad = {"earn_rate": "abc", "signup_bonus": 100_001, "auto_enrol": "yes", "colour": 1}
    answer = client.put("/api/settings", json=bad, headers={**bearer(SHOP_A), **NB})
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["message"] == "Noen felt er ikke gyldige."
    assert error["fields"] == {
        "earn_rate": "Skriv inn et tall, for eksempel 1 eller 2,5.",
        # numbers are written the Norwegian way (a no-break space between thousands)
        "signup_bonus": "Skriv inn et antall poeng fra 0 til 100\xa0000.",
        "auto_enrol": "Velg på eller av (true eller false).",
        "colour": "Ukjent innstilling.",
    }


def test_without_a_language_the_api_answers_in_english(client, shop_a):
    # (A separate test: flask-babel keeps the locale in `g`, which the `rt` fixture's app
    # context shares between this test's requests.)
    bad = {"signup_bonus": 100_001}
    english = client.put("/api/settings", json=bad, headers=bearer(SHOP_A)).get_json()["error"]
    assert english["fields"] == {"signup_bonus": "Enter points from 0 to 100000."}


def test_reward_errors_are_in_the_language_asked_for(client, shop_a):
    bad = {"kind": "percentage", "title": "", "points_cost": 0, "value": "2", "active": 1}
    answer = client.post("/api/rewards", json=bad, headers={**bearer(SHOP_A), **NB})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {
        "title": "Skriv inn en tittel på 1 til 255 tegn.",
        "points_cost": "Skriv inn et heltall fra 1 til 10\xa0000\xa0000.",
        "value": "Skriv inn andelen i rabatt, over 0 og høyst 1 («0.1» er 10 %).",
        "active": "Velg true eller false.",
    }


def test_adjustment_and_search_errors_are_in_the_language_asked_for(client, shop_a, add_member):
    add_member(shop_a, 77)
    headers = {**bearer(SHOP_A), **NB, "Idempotency-Key": "k-1"}
    body = {"points": 10**9, "reason": " "}
    adjusted = client.post("/api/members/77/adjustments", json=body, headers=headers)
    assert adjusted.status_code == 422
    assert adjusted.get_json()["error"]["fields"] == {
        "points": "Høyst 1\xa0000\xa0000 poeng om gangen.",
        "reason": "Oppgi en årsak: medlemmet ser den i historikken sin.",
    }
    query = "q" * 101
    found = client.get(
        f"/api/members?query={query}&min_balance=5&max_balance=1", headers=NB | bearer(SHOP_A)
    )
    assert found.status_code == 422
    assert found.get_json()["error"] == {
        "code": "validation_failed",
        "message": "Noen søkeparametere er ikke gyldige.",
        "fields": {
            "query": "Høyst 100 tegn.",
            "max_balance": "Maksimum kan ikke være lavere enn minimum.",
        },
    }


def test_an_api_message_without_norwegian_stays_english(app):
    with app.test_request_context(headers=NB):
        assert (
            translated("Nobody translated this, 42 times.") == "Nobody translated this, 42 times."
        )
        assert translated("Unknown field.") == "Ukjent felt."


@pytest.mark.browser
def test_a_norwegian_admin_sees_the_members_pages_in_norwegian(
    page, screenshot, live_app, fake_shopify, rt
):
    fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK", locale="nb")
    page.goto(fake_shopify.admin_app_url(SHOP, "/members"))
    app = page.frame_locator("#app-iframe")
    add_members(rt)
    with rt.sessions.begin() as s:
        shop = s.query(Shop.id).filter_by(domain=SHOP).scalar()
    create_reward(
        rt.sessions,
        shop,
        {
            "kind": "fixed_amount",
            "title": "Rabatt",
            "points_cost": 500,
            "value": "50",
            "minimum_order": "300",
        },
    )
    page.reload()
    expect(app.get_by_role("heading", name="Medlemmer", exact=True)).to_be_visible()
    rows = app.locator("#members-table tbody tr")
    expect(rows).to_have_count(4)
    expect(app.get_by_role("columnheader", name="Siste aktivitet")).to_be_visible()
    expect(app.locator("#members-page-number")).to_have_text("Side 1")
    app.get_by_label("Søk").fill("kari@")
    expect(rows).to_have_count(1)
    # Dates and badges in Norwegian, from the page's own texts and Intl.
    expect(rows.first).to_contain_text("1. feb. 2026")
    expect(rows.first).to_contain_text("Aktiv")
    screenshot("admin-members-nb")

    app.get_by_role("link", name="Kari Nordmann").click()
    expect(app.get_by_role("heading", name="Poenghistorikk")).to_be_visible()
    expect(app.get_by_role("link", name=f"Ordre {ORDER_ID}")).to_be_visible()
    expect(app.locator('[data-consent="email"]')).to_contain_text("Abonnert")
    # The API's validation message comes back in the page's language.
    app.get_by_label("Poeng som skal legges til eller trekkes fra").fill("50")
    app.get_by_role("button", name="Juster poeng").click()
    expect(app.locator('s-text-field[name="reason"]')).to_have_attribute(
        "error", "Oppgi en årsak: medlemmet ser den i historikken sin."
    )
    expect(page.locator("#toasts")).to_contain_text("Poengene ble ikke justert")
    screenshot("admin-member-nb")

    page.get_by_role("link", name="Belønninger").click()
    reward = app.locator("#rewards-table tbody tr")
    expect(reward).to_contain_text("50 kr rabatt · Ordrer fra 300 kr")
    expect(app.get_by_role("button", name="Opprett belønning")).to_be_visible()
    screenshot("admin-rewards-nb")
    assert page.js_errors == []
