"""The one parser of ids and whole numbers from outside (``loyalty.core.ids``)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty.core.ids import MAX_ID, id_from_json, id_from_text, whole_from_json, whole_from_text

FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0",
        "00",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1\n",
        "1.0",
        "1e3",
        "0x1",
        "1_000",
        "²",
        "\u0661\u0662",
        "\uff11",
        str(MAX_ID + 1),
        "9" * 5000,
        "1\u0000",
    ],
)
def test_text_that_is_no_id_reads_as_none(text):
    assert id_from_text(text) is None
    assert id_from_json(text) is None


@pytest.mark.parametrize("value", [None, True, False, 0, -1, MAX_ID + 1, 2**70, 1.0, [], {}, [1]])
def test_json_that_is_no_id_reads_as_none(value):
    assert id_from_json(value) is None


@FUZZ
@given(st.integers(min_value=1, max_value=MAX_ID))
def test_every_id_within_bigint_reads_back(number):
    assert id_from_text(str(number)) == number
    assert id_from_json(number) == id_from_json(str(number)) == number


@FUZZ
@given(st.text(max_size=30))
def test_an_id_is_only_ever_ascii_digits_within_bigint(text):
    parsed = id_from_text(text)
    if parsed is not None:
        assert text.isascii() and text.isdigit() and 0 < parsed <= MAX_ID


@FUZZ
@given(st.integers(min_value=-MAX_ID, max_value=MAX_ID), st.integers(), st.integers())
def test_whole_numbers_read_back_within_their_bounds(number, low, high):
    inside = low <= number <= high
    assert whole_from_text(str(number), low, high) == (number if inside else None)
    assert whole_from_text(f"+{number}" if number >= 0 else str(number)) == number


def test_whole_numbers_refuse_what_int_would_read_otherwise():
    for text in ("²", "\u0663", " 5", "5 ", "1_0", "--1", "+-1", "", "9" * 20, "9" * 5000):
        assert whole_from_text(text) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, 5), (5.0, 5), (-3.0, -3), (0, 0), (5.5, None), (True, None), ("5", None), (None, None)],
)
def test_a_whole_json_number_is_5_or_5_0_and_nothing_else(value, expected):
    """JSON Schema's ``integer``: the documents' integers read 5.0 too, never a fraction,
    a boolean or text."""
    assert whole_from_json(value) == expected


def test_infinity_and_nan_are_no_whole_numbers():
    assert whole_from_json(float("inf")) is None
    assert whole_from_json(float("nan")) is None
