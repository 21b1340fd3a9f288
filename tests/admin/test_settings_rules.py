"""The settings rules themselves, without HTTP (loyalty.points.settings.validate_settings)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loyalty.core.errors import ValidationError
from loyalty.points.settings import FIELDS, validate_settings


def test_valid_values_are_parsed_to_their_types():
    parsed = validate_settings(
        {
            "earn_rate": "0.0125",
            "signup_bonus": "250",
            "welcome_discount_percent": 15,
            "expiry_months": 24.0,
            "auto_enrol": False,
            "pending_days": 0,
        }
    )
    assert parsed == {
        "earn_rate": Decimal("0.0125"),
        "signup_bonus": 250,
        "welcome_discount_percent": 15,
        "expiry_months": 24,
        "auto_enrol": False,
        "pending_days": 0,
    }
    assert type(parsed["signup_bonus"]) is int


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("signup_bonus", 0, 100_000),
        ("welcome_discount_percent", 0, 100),
        ("welcome_discount_days", 0, 365),
        ("expiry_months", 0, 120),
        ("pending_days", 0, 365),
    ],
)
def test_integer_bounds_are_inclusive(name, low, high):
    assert validate_settings({name: low}) == {name: low}
    assert validate_settings({name: high}) == {name: high}
    for bad in (low - 1, high + 1):
        with pytest.raises(ValidationError) as caught:
            validate_settings({name: bad})
        assert str(low) in caught.value.fields[name] and str(high) in caught.value.fields[name]


def test_a_float_earn_rate_keeps_its_decimal_digits():
    assert validate_settings({"earn_rate": 0.1}) == {"earn_rate": Decimal("0.1")}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_refused_everywhere(value):
    with pytest.raises(ValidationError) as caught:
        validate_settings({"earn_rate": value, "pending_days": value})
    assert set(caught.value.fields) == {"earn_rate", "pending_days"}


def test_a_non_mapping_is_refused():
    with pytest.raises(ValidationError):
        validate_settings(["earn_rate"])  # type: ignore[arg-type]


def test_unknown_field_names_are_truncated_in_the_error():
    with pytest.raises(ValidationError) as caught:
        validate_settings({"x" * 500: 1})
    assert list(caught.value.fields) == ["x" * 100]


def test_the_fields_are_the_models_columns():
    from loyalty.core.models import ProgramSettings

    columns = set(ProgramSettings.__table__.columns.keys()) - {"shop_id", "updated_at"}
    # quiet_hours is one field over two columns (ProgramSettings.quiet_hours).
    columns = columns - {"quiet_hours_start", "quiet_hours_end"} | {"quiet_hours"}
    assert set(FIELDS) == columns
