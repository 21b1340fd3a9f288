"""Money is read as Decimal in the shop's currency, and becomes points by floor in one place."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty.core.money import exponent, parse_amount, points_for, shop_money

pytestmark = pytest.mark.embedded


@pytest.mark.parametrize(
    ("currency", "digits"), [("JPY", 0), ("NOK", 2), ("usd", 2), ("KWD", 3), ("XYZ", 2), (None, 2)]
)
def test_currency_exponents(currency, digits):
    assert exponent(currency) == digits


@pytest.mark.parametrize(
    ("raw", "currency", "expected"),
    [
        ("19.99", None, Decimal("19.99")),
        (199, None, Decimal(199)),
        (0.1, None, Decimal("0.1")),  # a JSON float is read through its text, never as binary
        (" 5.00 ", "NOK", Decimal("5.00")),
        ("19.999", "USD", Decimal("20.00")),  # more decimals than the currency: half-up
        ("1234.5", "JPY", Decimal(1235)),
        ("1.2345", "KWD", Decimal("1.235")),
        ("0.1234567890123", None, Decimal("0.1234567890123")),
    ],
)
def test_amounts_are_decimals_rounded_to_the_currency(raw, currency, expected):
    amount = parse_amount(raw, currency)
    assert amount == expected
    assert isinstance(amount, Decimal)


@pytest.mark.parametrize("raw", [None, "", "abc", "NaN", "Infinity", "-inf", True, [], {}, "1e15"])
def test_unreadable_amounts_are_none(raw):
    assert parse_amount(raw) is None


def test_shop_money_prefers_the_set_and_falls_back_to_the_plain_field():
    body = {
        "subtotal_price": "10.00",
        "subtotal_price_set": {
            "shop_money": {"amount": "12.50", "currency_code": "NOK"},
            "presentment_money": {"amount": "1.17", "currency_code": "EUR"},
        },
    }
    assert shop_money(body, "subtotal_price") == (Decimal("12.50"), "NOK")
    assert shop_money({"subtotal_price": "10.00"}, "subtotal_price") == (Decimal("10.00"), None)
    broken = {"subtotal_price": "3", "subtotal_price_set": {"shop_money": {"amount": "x"}}}
    assert shop_money(broken, "subtotal_price") == (Decimal(3), None)
    assert shop_money({}, "subtotal_price") == (None, None)
    assert shop_money(None, "subtotal_price") == (None, None)


def test_points_are_the_floor_of_rate_times_amount():
    assert points_for(Decimal("199.99"), Decimal(1)) == 199
    assert points_for(Decimal("199.90"), Decimal("2.5")) == 499
    assert points_for(Decimal("0.99"), Decimal(1)) == 0
    assert points_for(Decimal(1234), Decimal("0.01")) == 12


def test_floor_works_on_the_net_even_when_it_is_negative():
    assert points_for(Decimal("-0.5"), Decimal(1)) == -1
    assert points_for(Decimal(100) - Decimal("0.50"), Decimal(1)) == 99


@settings(max_examples=300)
@given(
    amount=st.decimals(min_value=-(10**14), max_value=10**14, places=4),
    rate=st.decimals(min_value=0, max_value=999999, places=4),
)
def test_points_for_is_exact_at_every_magnitude(amount, rate):
    """No rounding creeps in: the result is the floor of the exact rational product."""
    points = points_for(amount, rate)
    assert type(points) is int
    assert points == math.floor(Fraction(rate) * Fraction(amount))
