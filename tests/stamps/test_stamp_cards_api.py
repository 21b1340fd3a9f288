"""/api/stamp-cards: create, list, change, end; every bad field → 422 by name; shops apart."""

from __future__ import annotations

import pytest

from tests.support.http import bearer
from tests.support.shops import SHOP_A, SHOP_B

pytestmark = pytest.mark.embedded

COFFEE_CARD = {
    "name": "Coffee",
    "product_ids": ["501", "gid://shopify/Product/502"],
    "collection_ids": [],
    "stamps_required": 10,
    "reward": {"kind": "free_product", "product_id": "501"},
    "repeatable": True,
    "starts_at": None,
    "ends_at": None,
}


def call(client, method, path, body=None, shop=SHOP_A):
    return client.open(path, method=method, json=body, headers=bearer(shop))


def refused(response):
    assert response.status_code == 422, response.get_json()
    return response.get_json()["error"]["fields"]


def test_a_card_is_created_listed_changed_and_ended(client, shop_a):
    made = call(client, "POST", "/api/stamp-cards", COFFEE_CARD)
    assert made.status_code == 201, made.get_json()
    card = made.get_json()
    assert card | {"id": "x"} == {
        **COFFEE_CARD,
        "id": "x",
        "product_ids": ["501", "502"],
        "paused": None,
    }
    listed = call(client, "GET", "/api/stamp-cards").get_json()["stamp_cards"]
    assert listed == [card | {"members_with_stamps": 0, "rewards_issued": 0, "rewards_used": 0}]
    changed = call(
        client,
        "PUT",
        f"/api/stamp-cards/{card['id']}",
        {"stamps_required": 5, "reward": {"kind": "percentage", "percentage": 20}},
    )
    assert changed.status_code == 200
    assert changed.get_json()["stamps_required"] == 5
    assert changed.get_json()["reward"] == {"kind": "percentage", "percentage": 20}
    ended = call(client, "DELETE", f"/api/stamp-cards/{card['id']}")
    assert ended.get_json() == {"deleted": card["id"]}
    assert call(client, "GET", "/api/stamp-cards").get_json() == {"stamp_cards": []}
    assert call(client, "DELETE", f"/api/stamp-cards/{card['id']}").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"product_ids": [], "collection_ids": []}, "product_ids"),
        ({"stamps_required": 0}, "stamps_required"),
        ({"stamps_required": 10_000}, "stamps_required"),
        ({"stamps_required": True}, "stamps_required"),
        ({"name": "  "}, "name"),
        ({"product_ids": ["abc"]}, "product_ids[0]"),
        ({"collection_ids": ["gid://shopify/Product/1"]}, "collection_ids[0]"),
        ({"reward": {"kind": "points"}}, "reward.kind"),
        ({"reward": {"kind": "fixed_amount", "amount": "-5"}}, "reward.amount"),
        ({"reward": {"kind": "fixed_amount", "amount": 50}}, "reward.amount"),
        ({"reward": {"kind": "percentage", "percentage": 101}}, "reward.percentage"),
        ({"reward": {"kind": "free_product"}}, "reward.product_id"),
        ({"reward": {"kind": "percentage", "percentage": 5, "amount": "1"}}, "reward.amount"),
        ({"repeatable": "yes"}, "repeatable"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": "2027-01-02T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z"}, "ends_at"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_each_bad_field_is_refused_by_name_and_nothing_is_stored(client, shop_a, change, field):
    assert field in refused(call(client, "POST", "/api/stamp-cards", {**COFFEE_CARD, **change}))
    assert call(client, "GET", "/api/stamp-cards").get_json() == {"stamp_cards": []}


def test_required_fields_are_named_and_a_body_must_be_an_object(client, shop_a):
    assert set(refused(call(client, "POST", "/api/stamp-cards", {}))) >= {
        "name",
        "stamps_required",
        "reward",
    }
    assert call(client, "POST", "/api/stamp-cards", [1]).status_code in (400, 422)


def test_a_change_that_leaves_no_products_is_refused(client, shop_a):
    card = call(client, "POST", "/api/stamp-cards", COFFEE_CARD).get_json()
    fields = refused(call(client, "PUT", f"/api/stamp-cards/{card['id']}", {"product_ids": []}))
    assert "product_ids" in fields


def test_another_shops_card_is_not_found(client, shop_a, shop_b):
    card = call(client, "POST", "/api/stamp-cards", COFFEE_CARD).get_json()
    for method, body in (("PUT", {"name": "Mine"}), ("DELETE", None)):
        response = call(client, method, f"/api/stamp-cards/{card['id']}", body, shop=SHOP_B)
        assert response.status_code == 404
    assert call(client, "GET", "/api/stamp-cards", shop=SHOP_B).get_json() == {"stamp_cards": []}
