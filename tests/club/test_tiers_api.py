"""/api/tiers: create, list, change, reorder and delete the ladder; each bad field → 422 by name."""

from __future__ import annotations

import pytest

from tests.support.http import bearer
from tests.support.shops import SHOP_A, SHOP_B

pytestmark = pytest.mark.embedded

SILVER = {"name": "Silver", "basis": "points", "threshold": 1000, "earn_multiplier": "1.25"}
GOLD = {"name": "Gold", "basis": "points", "threshold": 2500, "earn_multiplier": "1.5"}


def call(client, method, path, body=None, shop=SHOP_A, **kwargs):
    return client.open(path, method=method, json=body, headers=bearer(shop), **kwargs)


def create(client, body, shop=SHOP_A):
    response = call(client, "POST", "/api/tiers", body, shop)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def refused(response):
    assert response.status_code == 422, response.get_json()
    return response.get_json()["error"]["fields"]


def test_a_created_tier_is_listed_with_every_field_and_its_members(client, shop_a):
    body = {
        **GOLD,
        "period": "calendar_year",
        "perks": {"en": "Free shipping", "nb": "Gratis frakt"},
        "entry_bonus": 200,
        "recurring_reward": {"points": 50, "every": "month"},
    }
    tier = create(client, body)
    assert tier["id"].isdigit()
    assert tier | {"id": "x"} == {
        **body,
        "id": "x",
        "position": 0,
        "currency": "NOK",
        "members": 0,
    }
    listed = call(client, "GET", "/api/tiers").get_json()
    assert listed == {"tiers": [tier], "members_without_tier": 0, "currency": "NOK"}


def test_defaults_spend_amounts_and_free_text_perks(client, shop_a):
    tier = create(
        client, {"name": " Gull ", "basis": "spend", "threshold": "2500.50", "perks": "Alt gratis"}
    )
    assert (tier["name"], tier["threshold"], tier["period"]) == ("Gull", "2500.5", "lifetime")
    assert (tier["earn_multiplier"], tier["entry_bonus"], tier["perks"]) == ("1", 0, "Alt gratis")
    assert tier["recurring_reward"] is None


def test_a_new_tier_takes_its_place_by_threshold(client, shop_a):
    gold = create(client, GOLD)
    bronze = create(client, {"name": "Bronze", "basis": "points", "threshold": 0})
    silver = create(client, SILVER)
    listed = call(client, "GET", "/api/tiers").get_json()["tiers"]
    assert [(t["id"], t["position"]) for t in listed] == [
        (bronze["id"], 0),
        (silver["id"], 1),
        (gold["id"], 2),
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("threshold", -1),
        ("threshold", "-5"),
        ("threshold", 2.5),
        ("threshold", "lots"),
        ("threshold", True),
        ("earn_multiplier", "10.5"),
        ("earn_multiplier", "11"),
        ("earn_multiplier", "0.5"),
        ("earn_multiplier", "0"),
        ("earn_multiplier", "-2"),
        ("earn_multiplier", "1.255"),
        ("earn_multiplier", "NaN"),
        ("earn_multiplier", 1.5),
        ("name", "   "),
        ("name", "x" * 61),
        ("basis", "visits"),
        ("period", "forever"),
        ("perks", "x" * 501),
        ("perks", {"de": "Versand"}),
        ("perks", ["a"]),
        ("entry_bonus", -1),
        ("entry_bonus", 100_001),
        ("recurring_reward", {"points": 10, "every": "week"}),
        ("recurring_reward", {"points": 0, "every": "month"}),
        ("recurring_reward", 50),
    ],
)
def test_each_bad_field_is_named(client, shop_a, field, value):
    fields = refused(call(client, "POST", "/api/tiers", {**SILVER, field: value}))
    assert list(fields) == [field]
    assert call(client, "GET", "/api/tiers").get_json()["tiers"] == []


def test_a_threshold_below_zero_and_a_multiplier_out_of_range_say_why(client, shop_a):
    fields = refused(
        call(client, "POST", "/api/tiers", {**SILVER, "threshold": -10, "earn_multiplier": "12"})
    )
    assert fields == {
        "threshold": "The threshold cannot be below 0.",
        "earn_multiplier": "The multiplier can be at most 10.",
    }
    fields = refused(call(client, "POST", "/api/tiers", {**SILVER, "earn_multiplier": "0.9"}))
    assert fields == {
        "earn_multiplier": "The multiplier cannot be below 1 (1 earns the normal points)."
    }


def test_missing_and_unknown_fields(client, shop_a):
    fields = refused(call(client, "POST", "/api/tiers", {"colour": "gold"}))
    assert set(fields) == {"colour", "name", "basis", "threshold"}


def test_overlapping_thresholds_are_refused(client, shop_a):
    create(client, SILVER)
    fields = refused(call(client, "POST", "/api/tiers", {**GOLD, "threshold": 1000}))
    assert fields == {
        "threshold": "Another tier starts at this threshold: each tier needs more than the one "
        "below it."
    }


def test_a_change_that_would_pass_a_neighbour_is_refused(client, shop_a):
    silver = create(client, SILVER)
    create(client, GOLD)
    fields = refused(call(client, "PUT", f"/api/tiers/{silver['id']}", {"threshold": 3000}))
    assert fields == {"threshold": "Each tier needs a higher threshold than the tier below it."}
    listed = call(client, "GET", "/api/tiers").get_json()["tiers"]
    assert [t["threshold"] for t in listed] == [1000, 2500]  # nothing changed


def test_every_tier_counts_the_same_thing_over_the_same_period(client, shop_a):
    create(client, SILVER)
    fields = refused(
        call(client, "POST", "/api/tiers", {**GOLD, "basis": "orders", "threshold": 9})
    )
    assert list(fields) == ["basis"]
    fields = refused(call(client, "POST", "/api/tiers", {**GOLD, "period": "calendar_year"}))
    assert list(fields) == ["period"]


def test_a_shop_has_at_most_ten_tiers(client, shop_a):
    for n in range(10):
        create(client, {"name": f"T{n}", "basis": "orders", "threshold": n})
    fields = refused(
        call(client, "POST", "/api/tiers", {"name": "T10", "basis": "orders", "threshold": 10})
    )
    assert list(fields) == ["_ladder"]


def test_change_a_tier(client, shop_a):
    silver = create(client, SILVER)
    response = call(
        client, "PUT", f"/api/tiers/{silver['id']}", {"name": "Sølv", "perks": "Gratis frakt"}
    )
    assert response.status_code == 200, response.get_json()
    unchanged = {k: v for k, v in silver.items() if k != "members"}  # only the list counts them
    assert response.get_json() == {**unchanged, "name": "Sølv", "perks": "Gratis frakt"}


def test_reorder_the_ladder_with_new_thresholds_basis_and_period(client, shop_a):
    silver, gold = create(client, SILVER), create(client, GOLD)
    body = {
        "basis": "spend",
        "period": "rolling_12_months",
        "tiers": [
            {"id": gold["id"], "threshold": "500"},
            {"id": silver["id"], "threshold": "2000.5"},
        ],
    }
    response = call(client, "PUT", "/api/tiers/ladder", body)
    assert response.status_code == 200, response.get_json()
    assert [
        (t["name"], t["position"], t["threshold"], t["basis"], t["period"])
        for t in response.get_json()["tiers"]
    ] == [
        ("Gold", 0, "500", "spend", "rolling_12_months"),
        ("Silver", 1, "2000.5", "spend", "rolling_12_months"),
    ]


def test_a_reorder_whose_thresholds_would_not_increase_is_refused_beside_the_row(client, shop_a):
    silver, gold = create(client, SILVER), create(client, GOLD)
    swapped = {"tiers": [{"id": gold["id"]}, {"id": silver["id"]}]}
    fields = refused(call(client, "PUT", "/api/tiers/ladder", swapped))
    assert fields == {
        "tiers[1].threshold": "Each tier needs a higher threshold than the tier below it."
    }
    bad = {"tiers": [{"id": silver["id"], "threshold": -1}, {"id": gold["id"]}]}
    assert refused(call(client, "PUT", "/api/tiers/ladder", bad)) == {
        "tiers[0].threshold": "The threshold cannot be below 0."
    }


@pytest.mark.parametrize(
    "tiers",
    [
        [],  # leaves one out
        "all",
        [{"id": "999999"}, {"id": "999998"}],
        [{"id": "same"}, {"id": "same"}],
        [{"id": "1", "colour": "x"}, {"id": "2"}],
    ],
)
def test_a_reorder_must_name_every_tier_once(client, shop_a, tiers):
    silver = create(client, SILVER)
    create(client, GOLD)
    if tiers and isinstance(tiers, list) and tiers[0]["id"] == "same":
        tiers = [{"id": silver["id"]}, {"id": silver["id"]}]
    assert "tiers" in refused(call(client, "PUT", "/api/tiers/ladder", {"tiers": tiers}))


def test_delete_a_tier_and_unknown_tiers(client, shop_a):
    silver, gold = create(client, SILVER), create(client, GOLD)
    assert call(client, "DELETE", "/api/tiers/999999").status_code == 404
    assert call(client, "DELETE", "/api/tiers/abc").status_code == 404
    assert refused(call(client, "DELETE", f"/api/tiers/{gold['id']}?move_to={gold['id']}")) == {
        "move_to": "Choose another tier of this shop."
    }
    assert "move_to" in refused(call(client, "DELETE", f"/api/tiers/{gold['id']}?move_to=x"))
    response = call(client, "DELETE", f"/api/tiers/{gold['id']}")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "deleted": gold["id"],
        "members_moved": 0,
        "moved_to": {"id": silver["id"], "name": "Silver"},
    }
    listed = call(client, "GET", "/api/tiers").get_json()["tiers"]
    assert [(t["name"], t["position"]) for t in listed] == [("Silver", 0)]


def test_another_shops_tiers_cannot_be_seen_or_changed(client, shop_a, shop_b):
    tier = create(client, SILVER)
    assert call(client, "GET", "/api/tiers", shop=SHOP_B).get_json()["tiers"] == []
    assert call(client, "PUT", f"/api/tiers/{tier['id']}", {"name": "X"}, SHOP_B).status_code == 404
    assert call(client, "DELETE", f"/api/tiers/{tier['id']}", shop=SHOP_B).status_code == 404
    ladder = {"tiers": [{"id": tier["id"]}]}
    assert "tiers" in refused(call(client, "PUT", "/api/tiers/ladder", ladder, SHOP_B))
    assert call(client, "GET", "/api/tiers").get_json()["tiers"][0]["name"] == "Silver"


def test_the_messages_come_in_the_admins_language(client, shop_a):
    create(client, SILVER)
    body = {**GOLD, "threshold": 1000}
    response = client.post("/api/tiers?locale=nb", json=body, headers=bearer(SHOP_A))
    assert refused(response) == {
        "threshold": "Et annet nivå starter på denne terskelen: hvert nivå må kreve mer enn "
        "nivået under."
    }
    body = {**GOLD, "threshold": -1, "name": "x" * 61, "earn_multiplier": "12"}
    response = client.post("/api/tiers?locale=nb", json=body, headers=bearer(SHOP_A))
    assert refused(response) == {
        "threshold": "Terskelen kan ikke være under 0.",
        "name": "Skriv inn et navn på 1 til 60 tegn.",
        "earn_multiplier": "Faktoren kan være høyst 10.",
    }
