"""The welcome code's pure parts: which codes an order body names, and the state its facts give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from loyalty.core.models import WelcomeCode, WelcomeState
from loyalty.core.payloads import order_discount_codes
from loyalty.points.welcome_state import state_of, welcome_code, welcome_json
from openapi import WELCOME_CODE

pytestmark = pytest.mark.embedded

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def test_an_order_names_its_codes_in_discount_codes_and_discount_applications():
    body = {
        "discount_codes": [{"code": " welcome-ab12 "}, {"code": ""}, {"amount": "5"}, "x"],
        "discount_applications": [
            {"type": "discount_code", "code": "KLUBB-9"},
            {"type": "automatic", "title": "Summer"},
            {"type": "manual", "code": "NOT-A-CODE"},
        ],
    }
    assert order_discount_codes(body) == {"WELCOME-AB12", "KLUBB-9"}
    assert order_discount_codes({"discount_codes": None, "discount_applications": {}}) == set()


@pytest.mark.parametrize(
    ("facts", "state"),
    [
        ({}, WelcomeState.ISSUED),
        ({"ends_at": NOW + timedelta(seconds=1)}, WelcomeState.ISSUED),
        ({"ends_at": NOW}, WelcomeState.EXPIRED),
        ({"used_at": NOW - timedelta(days=1)}, WelcomeState.USED),
        # Used wins over an end that passed later, and over an order that came before the code.
        (
            {"ends_at": NOW - timedelta(days=1), "used_at": NOW - timedelta(days=2)},
            WelcomeState.USED,
        ),
        ({"issued_at": None, "used_at": NOW}, WelcomeState.USED),
    ],
)
def test_the_state_follows_from_the_facts(facts, state):
    row = WelcomeCode(code="WELCOME-1", percentage=10, issued_at=NOW - timedelta(days=3))
    for name, value in facts.items():
        setattr(row, name, value)
    assert state_of(row, NOW) == state


def test_the_json_is_null_until_the_code_is_known_and_matches_its_schema():
    assert welcome_json(None) is None
    assert welcome_json(WelcomeCode(code=None), NOW) is None
    shown = welcome_json(WelcomeCode(code="WELCOME-1", percentage=10, order_id=6210000001001), NOW)
    assert shown is not None
    assert set(WELCOME_CODE["required"]) <= set(shown) <= set(WELCOME_CODE["properties"])
    assert shown["order_id"] == "6210000001001"  # a Shopify id: a string in JSON
    assert WELCOME_CODE["properties"]["state"]["enum"] == [s.value for s in WelcomeState]


def test_the_code_is_the_customers_own_and_unguessable_without_the_key():
    code = welcome_code(b"k" * 32, 1, 7)
    assert code.startswith("WELCOME-") and len(code) == 20 and code == code.upper()
    assert code == welcome_code(b"k" * 32, 1, 7)
    assert code not in {welcome_code(b"k" * 32, 1, 8), welcome_code(b"j" * 32, 1, 7)}
