"""The reward catalogue's rules, as the admin's API will use them."""

from __future__ import annotations

import pytest

from loyalty.core.errors import NotFound, ValidationError
from loyalty.rewards import catalogue as reward_catalogue


def test_a_reward_is_stored_and_shown_with_string_ids_and_decimal_strings(rt, shop_id):
    created = reward_catalogue.create_reward(
        rt.sessions,
        shop_id,
        {
            "kind": "fixed_amount",
            "title": "  50 kr off ",
            "points_cost": 500,
            "value": "50.00",
            "minimum_order": "199.5",
            "code_lifetime_days": 30,
            "starts_at": "2026-01-01T00:00:00Z",
        },
    )
    assert isinstance(created["id"], str)
    assert (created["title"], created["value"], created["minimum_order"]) == (
        "50 kr off",
        "50",
        "199.5",
    )
    assert (created["currency"], created["active"], created["ends_at"]) == ("NOK", True, None)
    assert reward_catalogue.list_rewards(rt.sessions, shop_id) == [created]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "gift", "title": "x", "points_cost": 1}, "kind"),
        ({"kind": "free_shipping", "title": " ", "points_cost": 1}, "title"),
        ({"kind": "free_shipping", "title": "x", "points_cost": 0}, "points_cost"),
        ({"kind": "free_shipping", "title": "x", "points_cost": "10"}, "points_cost"),
        ({"kind": "free_shipping", "title": "x", "points_cost": 1, "value": "5"}, "value"),
        ({"kind": "percentage", "title": "x", "points_cost": 1, "value": "10"}, "value"),
        ({"kind": "fixed_amount", "title": "x", "points_cost": 1, "value": "-5"}, "value"),
        ({"kind": "fixed_amount", "title": "x", "points_cost": 1, "value": 5.5}, "value"),
        ({"kind": "fixed_amount", "title": "x", "points_cost": 1}, "value"),
        (
            {
                "kind": "free_shipping",
                "title": "x",
                "points_cost": 1,
                "starts_at": "2026-02-01T00:00:00Z",
                "ends_at": "2026-01-01T00:00:00Z",
            },
            "ends_at",
        ),
        ({"kind": "free_shipping", "title": "x", "points_cost": 1, "colour": "red"}, "colour"),
        ({"kind": "free_shipping", "title": "x", "points_cost": 1, "active": "yes"}, "active"),
    ],
)
def test_bad_fields_are_named(rt, shop_id, data, field):
    with pytest.raises(ValidationError) as raised:
        reward_catalogue.create_reward(rt.sessions, shop_id, data)
    assert field in raised.value.fields
    assert reward_catalogue.list_rewards(rt.sessions, shop_id) == []


def test_an_update_is_checked_with_the_fields_it_leaves(rt, shop_id, make_reward):
    reward = make_reward(kind="percentage", title="10 %", value="0.1")
    with pytest.raises(ValidationError):
        reward_catalogue.update_reward(rt.sessions, shop_id, int(reward), {"value": "15"})

    changed = reward_catalogue.update_reward(rt.sessions, shop_id, int(reward), {"value": "0.15"})
    assert (changed["kind"], changed["value"], changed["points_cost"]) == (
        "percentage",
        "0.15",
        500,
    )
    assert reward_catalogue.archive_reward(rt.sessions, shop_id, int(reward))["active"] is False


def test_another_shops_reward_cannot_be_changed(rt, shop_id, make_reward):
    reward = make_reward()
    with pytest.raises(NotFound):
        reward_catalogue.update_reward(rt.sessions, shop_id + 1, int(reward), {"title": "Mine now"})
