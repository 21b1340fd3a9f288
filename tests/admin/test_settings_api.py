"""GET/PUT /api/settings: every field is checked, every bad field reported, good ones persist."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loyalty.core.models import AuditLog, ProgramSettings
from tests.support.http import bearer
from tests.support.shops import SHOP_A

DEFAULTS = {
    "earn_rate": "1",
    "signup_bonus": 100,
    "welcome_discount_percent": 10,
    "welcome_discount_days": 0,
    "expiry_months": 12,
    "auto_enrol": True,
    "pending_days": 0,
    "inactive_member_months": 24,
    "webhook_body_days": 30,
    "export_days": 30,
    "audit_months": 24,
    "birthday_reward": "off",
    "birthday_points": 100,
    "birthday_discount_percent": 10,
    "birthday_code_days": 30,
    "birthday_timing": "month",
    "birthday_change_wait_days": 30,
    "instagram_url": None,
    "instagram_points": 50,
    "facebook_url": None,
    "facebook_points": 50,
    "tiktok_url": None,
    "tiktok_points": 50,
    "newsletter_points": 0,
    "quiet_hours": {"start": "21:00", "end": "08:00"},
    "tier_grace_days": 30,
    "tier_counts_adjustments": False,
    "referral_enabled": False,
    "referral_points": 500,
    "referral_discount_percent": 10,
    "referral_code_days": 30,
    "referral_wait_days": 14,
    "referral_monthly_cap": 10,
}


def put(client, body, **kwargs):
    return client.put("/api/settings", json=body, headers=bearer(SHOP_A), **kwargs)


def test_a_new_shop_has_the_default_settings(client, shop_a):
    assert client.get("/api/settings", headers=bearer(SHOP_A)).get_json() == DEFAULTS


@pytest.mark.embedded
def test_a_valid_update_persists_and_is_audited(client, rt, shop_a):
    body = {
        "earn_rate": "2.5",
        "signup_bonus": 250,
        "welcome_discount_percent": 0,
        "expiry_months": 0,
        "auto_enrol": False,
        "pending_days": 14,
    }
    response = put(client, body)
    assert response.status_code == 200
    assert response.get_json() == {**DEFAULTS, **body}
    assert client.get("/api/settings", headers=bearer(SHOP_A)).get_json() == {**DEFAULTS, **body}
    with rt.sessions() as s:
        row = s.get(ProgramSettings, shop_a)
        assert row.earn_rate == Decimal("2.5")
        assert (row.signup_bonus, row.auto_enrol, row.pending_days) == (250, False, 14)
        audit = s.query(AuditLog).filter_by(shop_id=shop_a).one()
    assert (audit.actor_type, audit.actor_id, audit.action) == ("staff", "42", "settings.update")
    assert audit.detail.split(",") == list(body)


def test_a_partial_update_keeps_the_other_fields(client, shop_a):
    response = put(client, {"signup_bonus": 5})
    assert response.get_json() == {**DEFAULTS, "signup_bonus": 5}


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("0.0001", "0.0001"),
        ("1000", "1000"),
        (" 3.25 ", "3.25"),
        (2, "2"),
        (1.5, "1.5"),
        ("1.50000", "1.5"),
    ],
)
def test_earn_rate_accepts_decimal_strings_and_numbers(client, shop_a, value, stored):
    response = put(client, {"earn_rate": value})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["earn_rate"] == stored


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("earn_rate", "0"),
        ("earn_rate", "-1"),
        ("earn_rate", "1000.0001"),
        ("earn_rate", "1e9"),
        ("earn_rate", "0.00001"),
        ("earn_rate", "abc"),
        ("earn_rate", ""),
        ("earn_rate", "<script>alert(1)</script>"),
        ("earn_rate", True),
        ("earn_rate", None),
        ("earn_rate", [1]),
        ("earn_rate", "NaN"),
        ("earn_rate", "Infinity"),
        ("earn_rate", "9" * 5000),
        ("signup_bonus", -1),
        ("signup_bonus", 100_001),
        ("signup_bonus", 10**40),
        ("signup_bonus", 1.5),
        ("signup_bonus", True),
        ("signup_bonus", "<b>5</b>"),
        ("signup_bonus", {"value": 5}),
        ("welcome_discount_percent", 101),
        ("welcome_discount_percent", -5),
        ("welcome_discount_percent", False),
        ("welcome_discount_days", 366),
        ("welcome_discount_days", -1),
        ("expiry_months", 121),
        ("expiry_months", "twelve"),
        ("pending_days", 366),
        ("pending_days", "1 OR 1=1"),
        ("auto_enrol", "true"),
        ("auto_enrol", 1),
        ("auto_enrol", None),
    ],
)
def test_an_invalid_value_is_422_with_a_message_for_that_field(client, shop_a, field, value):
    response = put(client, {field: value})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert list(error["fields"]) == [field]
    assert error["fields"][field]
    assert "<" not in error["fields"][field]  # input is never echoed back
    assert client.get("/api/settings", headers=bearer(SHOP_A)).get_json() == DEFAULTS


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_422(client, shop_a, literal):
    response = client.put(
        "/api/settings",
        data=f'{{"earn_rate": {literal}, "signup_bonus": {literal}}}',
        headers={**bearer(SHOP_A), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"earn_rate", "signup_bonus"}


@pytest.mark.embedded
def test_every_bad_field_is_reported_at_once_and_nothing_is_saved(client, shop_a):
    body = {
        "earn_rate": "-2",
        "signup_bonus": "lots",
        "welcome_discount_percent": 50,
        "expiry_months": 999,
        "auto_enrol": "yes",
        "pending_days": True,
        "colour": "red",
    }
    response = put(client, body)
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == set(body) - {"welcome_discount_percent"}
    assert fields["colour"] == "Unknown setting."
    assert client.get("/api/settings", headers=bearer(SHOP_A)).get_json() == DEFAULTS


def test_an_unknown_field_alone_is_422(client, shop_a):
    response = put(client, {"shop_id": 2})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"shop_id": "Unknown setting."}


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        ("signup_bonus=5", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("{}", "text/plain", 415, "unsupported_media_type"),
        ("{not json", "application/json", 400, "invalid_json"),
        ("", "application/json", 400, "invalid_json"),
        ("[1, 2]", "application/json", 400, "invalid_body"),
        ('"text"', "application/json", 400, "invalid_body"),
        ("null", "application/json", 400, "invalid_body"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(
    client, shop_a, data, content_type, status, code
):
    response = client.put(
        "/api/settings", data=data, headers={**bearer(SHOP_A), "Content-Type": content_type}
    )
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_an_empty_object_changes_nothing(client, rt, shop_a):
    assert put(client, {}).get_json() == DEFAULTS
    with rt.sessions() as s:
        assert s.query(AuditLog).count() == 0


@pytest.mark.embedded
def test_a_shop_without_a_settings_row_gets_the_defaults(client, rt, shop_a):
    with rt.sessions.begin() as s:
        s.delete(s.get(ProgramSettings, shop_a))
    assert client.get("/api/settings", headers=bearer(SHOP_A)).get_json() == DEFAULTS


@pytest.mark.embedded
def test_quiet_hours_are_set_cleared_and_checked(client, shop_a):
    evening = {"start": "22:30", "end": "07:00"}
    assert put(client, {"quiet_hours": evening}).get_json()["quiet_hours"] == evening
    assert client.get("/api/settings", headers=bearer(SHOP_A)).get_json()["quiet_hours"] == evening
    assert put(client, {"quiet_hours": None}).get_json()["quiet_hours"] is None
    assert client.get("/api/settings", headers=bearer(SHOP_A)).get_json()["quiet_hours"] is None
    for bad in (
        {"start": "24:00", "end": "08:00"},
        {"start": "9:00", "end": "08:00"},
        {"start": "08:00", "end": "08:00"},
        {"start": "21:00"},
        {"start": "21:00", "end": "08:00", "days": 5},
        "21:00-08:00",
        {"start": 21, "end": 8},
    ):
        answer = put(client, {"quiet_hours": bad})
        assert answer.status_code == 422, bad
        assert list(answer.get_json()["error"]["fields"]) == ["quiet_hours"]
    assert client.get("/api/settings", headers=bearer(SHOP_A)).get_json()["quiet_hours"] is None
