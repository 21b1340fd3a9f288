"""Stamp cards through the real entry points: ``/api/stamp-cards``, Shopify's signed webhooks
(orders, refunds, products, collections) and RQ's jobs against the fake Shopify's Admin API,
the member JSON in the admin and through the app proxy."""

from __future__ import annotations

import pytest

from tests.stamps.cards import BEANS, CAKE, COFFEE, SHOPPER
from tests.stamps.conftest import BEANS_COLLECTION
from tests.support.bodies import Line, customer_body, order_body, refund_body
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.members import member_caller
from tests.support.shops import SHOP

CUSTOMER = SHOPPER

pytestmark = pytest.mark.embedded


@pytest.fixture
def admin(client):
    def call(method, path, body=None, status=200):
        response = client.open(path, method=method, json=body, headers=bearer(SHOP))
        assert response.status_code == status, response.get_json()
        return response.get_json()

    return call


def cards(admin, app):
    coffee = admin(
        "POST",
        "/api/stamp-cards",
        {
            "name": "Coffee",
            "product_ids": [f"gid://shopify/Product/{COFFEE}"],
            "stamps_required": 3,
            "reward": {"kind": "free_product", "product_id": str(COFFEE)},
        },
        status=201,
    )
    beans = admin(
        "POST",
        "/api/stamp-cards",
        {
            "name": "Beans",
            "collection_ids": [str(BEANS_COLLECTION)],
            "stamps_required": 2,
            "reward": {"kind": "fixed_amount", "amount": "50.00"},
        },
        status=201,
    )
    drain(app)  # the collection look-up
    return coffee["id"], beans["id"]


def stamp_codes(cafe):
    return [d for d in cafe.discounts.values() if "(Klubb stamp #" in d.title]


def stamp_cards(member):
    return {c["name"]: (c["stamps"], c["rewards_earned"]) for c in member["stamp_cards"]}


def test_a_full_card_gives_a_code_for_the_free_coffee_once(deliver, admin, proxy, app, cafe):
    coffee_id, _ = cards(admin, app)
    deliver("customers/create", customer_body(CUSTOMER))
    guest = proxy("GET", "/proxy/api/member").get_json()
    assert stamp_cards(guest) == {"Coffee": (0, 0), "Beans": (0, 0)}

    lines = [
        Line(11, "45.00", 3, product_id=COFFEE),
        Line(12, "120.00", 1, product_id=BEANS),
        Line(13, "60.00", 1, product_id=CAKE),
        Line(14, "100.00", 2, gift_card=True, product_id=BEANS),
    ]
    order = order_body(1, lines, customer_id=CUSTOMER)
    deliver("orders/paid", order)
    deliver("orders/updated", order)  # twice: nothing more

    member = admin("GET", f"/api/members/{CUSTOMER}")
    assert stamp_cards(member) == {"Coffee": (0, 1), "Beans": (1, 0)}
    [coffee] = [c for c in member["stamp_cards"] if c["name"] == "Coffee"]
    [code] = coffee["codes"]
    found = cafe.discount_by_code(code["code"])
    assert found.product_gids == [f"gid://shopify/Product/{COFFEE}"]
    assert found.percentage == 1.0
    assert found.customer_ids == [f"gid://shopify/Customer/{CUSTOMER}"]
    assert found.usage_limit == 1
    assert len(stamp_codes(cafe)) == 1

    shopper = proxy("GET", "/proxy/api/member", customer_id=CUSTOMER).get_json()
    assert stamp_cards(shopper) == stamp_cards(member)
    page = proxy("GET", "/proxy", customer_id=CUSTOMER).get_data(as_text=True)
    assert 'aria-label="0 of 3 stamps"' in page and 'aria-label="1 av 2 stempler"' in page
    assert "Rewards earned: 1" in page and code["code"] in page

    used = order_body(2, [Line(21, "45.00", 1, product_id=COFFEE)], customer_id=CUSTOMER)
    used["discount_codes"] = [{"code": code["code"], "amount": "45.00", "type": "percentage"}]
    deliver("orders/paid", used)
    listed = {c["name"]: c for c in admin("GET", "/api/stamp-cards")["stamp_cards"]}
    assert (listed["Coffee"]["rewards_issued"], listed["Coffee"]["rewards_used"]) == (1, 1)
    assert listed["Coffee"]["members_with_stamps"] == 1
    [holder] = admin("GET", f"/api/stamp-cards/{coffee_id}/members")["members"]
    assert holder | {"name": None} == {
        "customer_id": str(CUSTOMER),
        "name": None,
        "stamps": 4,
        "rewards_issued": 1,
        "rewards_used": 1,
    }

    deliver("refunds/create", refund_body(91, 1, [(lines[0], 3)]))  # the reward stays
    member = admin("GET", f"/api/members/{CUSTOMER}")
    assert stamp_cards(member)["Coffee"] == (0, 1)  # in debt, never below 0
    assert len(stamp_codes(cafe)) == 1
    assert coffee_id


def test_collections_follow_shopify_and_deleted_ones_pause_their_cards(deliver, admin, app, cafe):
    coffee_id, beans_id = cards(admin, app)
    deliver("customers/create", customer_body(CUSTOMER))
    roast = cafe.add_product("Dark roast", id=504)
    cafe.collections[f"gid://shopify/Collection/{BEANS_COLLECTION}"].product_ids.append(504)
    deliver("products/update", {"id": 504, "title": "Dark roast"})
    deliver(
        "orders/paid", order_body(1, [Line(11, "99.00", 1, product_id=504)], customer_id=CUSTOMER)
    )
    assert stamp_cards(admin("GET", f"/api/members/{CUSTOMER}"))["Beans"] == (1, 0)
    assert roast

    deliver("collections/delete", {"id": BEANS_COLLECTION})
    deliver("products/delete", {"id": COFFEE})
    listed = {c["name"]: c["paused"] for c in admin("GET", "/api/stamp-cards")["stamp_cards"]}
    assert listed == {"Coffee": "product_deleted", "Beans": "collection_deleted"}
    deliver(
        "orders/paid",
        order_body(
            2,
            [Line(21, "45.00", 2, product_id=COFFEE), Line(22, "99.00", 1, product_id=BEANS)],
            customer_id=CUSTOMER,
        ),
    )
    # a paused card is shown only to those holding stamps on it
    assert stamp_cards(admin("GET", f"/api/members/{CUSTOMER}")) == {"Beans": (1, 0)}

    cafe.add_collection("Beans again", [f"gid://shopify/Product/{BEANS}"], id=901)
    admin("PUT", f"/api/stamp-cards/{beans_id}", {"collection_ids": ["901"]})
    drain(app)
    deliver(
        "orders/paid", order_body(3, [Line(31, "99.00", 1, product_id=BEANS)], customer_id=CUSTOMER)
    )
    assert stamp_cards(admin("GET", f"/api/members/{CUSTOMER}"))["Beans"] == (0, 1)
    assert coffee_id


def test_stamps_are_in_the_members_export_and_unused_codes_go_when_they_leave(
    deliver, admin, proxy, app, cafe
):
    cards(admin, app)
    deliver("customers/create", customer_body(CUSTOMER))
    deliver(
        "orders/paid",
        order_body(1, [Line(11, "45.00", 3, product_id=COFFEE)], customer_id=CUSTOMER),
    )
    me = member_caller(proxy)
    exported = me("GET", "/export.json", customer_id=CUSTOMER).get_json()
    [reward] = exported["stamp_rewards"]
    assert (reward["card"], reward["fill"], reward["state"]) == ("Coffee", 1, "issued")
    assert [(e["card"], e["stamps"]) for e in exported["stamp_entries"]] == [("Coffee", 3)]
    assert {c["name"]: c["stamps"] for c in exported["stamp_cards"]} == {"Coffee": 0, "Beans": 0}
    assert stamp_codes(cafe)

    left = me("DELETE", json={"confirm": "LEAVE"}, customer_id=CUSTOMER)
    assert left.status_code == 200, left.get_json()
    drain(app)
    assert stamp_codes(cafe) == []  # the unused reward code was hers alone
