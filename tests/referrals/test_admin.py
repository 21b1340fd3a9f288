"""The admin's side of referrals: the settings, the report and its page, other shops kept out."""

from __future__ import annotations

from tests.referrals.helpers import REFERRER, referral_code, sign_up
from tests.support.http import bearer, embedded_url
from tests.support.shops import SHOP, SHOP_A, SHOP_B


def test_settings_take_the_referral_fields_and_refuse_bad_ones(fake, client):
    headers = bearer(SHOP)
    saved = client.put(
        "/api/settings", json={"referral_points": 250, "referral_wait_days": 0}, headers=headers
    ).get_json()
    assert (saved["referral_points"], saved["referral_wait_days"]) == (250, 0)
    answer = client.put(
        "/api/settings",
        json={"referral_monthly_cap": 0, "referral_discount_percent": 101, "referral_enabled": 1},
        headers=headers,
    )
    assert answer.status_code == 422
    assert set(answer.get_json()["error"]["fields"]) == {
        "referral_monthly_cap",
        "referral_discount_percent",
        "referral_enabled",
    }


def test_the_report_counts_states_and_lists_referrals(fake, proxy, client, referral_shop):
    assert sign_up(proxy, referral_code(proxy), "venn@example.com").status_code == 200
    report = client.get("/api/referrals", headers=bearer(SHOP)).get_json()
    assert report["counts"]["signed_up"] == 1 and report["points_paid"] == 0
    (row,) = report["referrals"]
    assert row["friend_email"] == "venn@example.com"
    assert row["referrer"]["customer_id"] == str(REFERRER)
    assert row["state"] == "signed_up" and row["code_state"] == "issued"
    assert client.get("/api/referrals?page=0", headers=bearer(SHOP)).status_code == 422
    # Another shop sees none of it.
    referral_shop(SHOP_B)
    other = client.get("/api/referrals", headers=bearer(SHOP_B)).get_json()
    assert other["referrals"] == [] and other["counts"]["signed_up"] == 0


def test_the_referrals_page_and_its_place_in_the_nav(client, fake_shopify):
    fake_shopify.add_shop(SHOP_A, installed=True)
    token = fake_shopify.session_token(SHOP_A)
    page = client.get(embedded_url("/referrals", id_token=token))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="referrals-table"' in html and "referrals.js" in html
    assert 'href="/referrals' in html
    settings = client.get(embedded_url("/settings", id_token=token)).get_data(as_text=True)
    assert 'name="referral_enabled"' in settings
