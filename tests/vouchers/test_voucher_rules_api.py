"""/api/voucher-rules: create, list, change and delete; each bad field → 422 by name; shops
kept apart."""

from __future__ import annotations

import pytest

from tests.support.http import bearer
from tests.support.shops import SHOP_A, SHOP_B

pytestmark = pytest.mark.embedded

YEARLY = {
    "name": "Spend 5000 a year",
    "threshold": "5000",
    "period": "calendar_year",
    "period_days": None,
    "voucher": {"kind": "gift_card", "amount": "250"},
}


def call(client, method, path, body=None, shop=SHOP_A):
    return client.open(path, method=method, json=body, headers=bearer(shop))


def create(client, body, shop=SHOP_A):
    response = call(client, "POST", "/api/voucher-rules", body, shop)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def refused(response):
    assert response.status_code == 422, response.get_json()
    return response.get_json()["error"]["fields"]


def test_a_created_rule_is_listed_as_it_was_given(client, shop_a):
    rule = create(client, YEARLY)
    assert rule == {**YEARLY, "id": rule["id"], "currency": "NOK", "vouchers_issued": 0}
    listed = call(client, "GET", "/api/voucher-rules").get_json()
    assert listed == {"rules": [rule], "currency": "NOK"}


def test_rolling_periods_take_their_days_and_amounts_keep_their_decimals(client, shop_a):
    rule = create(
        client,
        {
            "name": "Rolling",
            "threshold": "999.50",
            "period": "rolling_days",
            "period_days": 90,
            "voucher": {"kind": "discount_code", "amount": "100.25"},
        },
    )
    assert (rule["threshold"], rule["period_days"], rule["voucher"]["amount"]) == (
        "999.5",
        90,
        "100.25",
    )


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"threshold": "0"}, "threshold", "more than 0"),
        ({"threshold": "-5"}, "threshold", "more than 0"),
        ({"threshold": 12.5}, "threshold", "decimal string"),
        ({"threshold": "1e3"}, "threshold", "decimal string"),
        ({"name": "  "}, "name", "name"),
        ({"period": "weekly"}, "period", "calendar_month"),
        ({"period": "rolling_days"}, "period_days", "days"),
        ({"period": "rolling_days", "period_days": 0}, "period_days", "days"),
        ({"period_days": 30}, "period_days", "null"),
        ({"voucher": {"kind": "points", "amount": "10"}}, "voucher.kind", "gift_card"),
        ({"voucher": {"kind": "gift_card", "amount": "0"}}, "voucher.amount", "more than 0"),
        ({"voucher": {"kind": "gift_card"}}, "voucher.amount", "decimal string"),
        ({"voucher": "250"}, "voucher", "kind"),
        ({"colour": "red"}, "colour", "Unknown"),
    ],
)
def test_each_bad_field_is_refused_by_name_and_nothing_is_stored(
    client, shop_a, change, field, words
):
    fields = refused(call(client, "POST", "/api/voucher-rules", {**YEARLY, **change}))
    assert field in fields and words in fields[field]
    assert call(client, "GET", "/api/voucher-rules").get_json()["rules"] == []


def test_every_bad_field_is_reported_at_once(client, shop_a):
    fields = refused(call(client, "POST", "/api/voucher-rules", {"threshold": "0"}))
    assert set(fields) == {"name", "threshold", "period", "voucher"}


def test_a_change_keeps_what_it_does_not_name_and_is_checked_too(client, shop_a):
    rule = create(client, YEARLY)
    path = f"/api/voucher-rules/{rule['id']}"
    changed = call(client, "PUT", path, {"threshold": "6000"}).get_json()
    rule.pop("vouchers_issued")
    assert changed == {**rule, "threshold": "6000"}
    assert changed["name"] == YEARLY["name"]
    assert refused(call(client, "PUT", path, {"voucher": {"kind": "gift_card", "amount": "-1"}}))
    monthly = call(client, "PUT", path, {"period": "calendar_month"}).get_json()
    assert (monthly["period"], monthly["period_days"]) == ("calendar_month", None)


def test_a_deleted_rule_is_gone_from_the_list(client, shop_a):
    rule = create(client, YEARLY)
    path = f"/api/voucher-rules/{rule['id']}"
    assert call(client, "DELETE", path).get_json() == {"deleted": rule["id"]}
    assert call(client, "GET", "/api/voucher-rules").get_json()["rules"] == []
    assert call(client, "DELETE", path).status_code == 404
    assert call(client, "PUT", path, {"name": "x"}).status_code == 404


def test_another_shops_rule_cannot_be_read_changed_or_deleted(client, shop_a, shop_b):
    rule = create(client, YEARLY, shop=SHOP_A)
    path = f"/api/voucher-rules/{rule['id']}"
    assert call(client, "GET", "/api/voucher-rules", shop=SHOP_B).get_json()["rules"] == []
    assert call(client, "PUT", path, {"name": "Mine"}, shop=SHOP_B).status_code == 404
    assert call(client, "DELETE", path, shop=SHOP_B).status_code == 404
    assert call(client, "PUT", "/api/voucher-rules/abc", {"name": "x"}).status_code == 404


def test_issued_vouchers_list_starts_empty_with_no_liability(client, shop_a):
    found = call(client, "GET", "/api/vouchers").get_json()
    assert found["vouchers"] == [] and found["liability"] == {"active": "0", "disabled": "0"}
