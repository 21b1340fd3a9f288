"""Phone numbers as E.164: Norwegian ones however they are written, others with their prefix,
and a reason for every refusal."""

from __future__ import annotations

import pytest

from loyalty.campaigns.phones import PhoneRefused, is_norwegian, to_e164


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("91234567", "+4791234567"),
        ("912 34 567", "+4791234567"),
        ("+47 912 34 567", "+4791234567"),
        ("0047 91234567", "+4791234567"),
        ("+47-912-34-567", "+4791234567"),
        ("(+47) 912.34.567", "+4791234567"),
        ("47 91 23 45 67", "+4791234567"),
        (" 22 33 44 55 ", "+4722334455"),
        ("+4791234567", "+4791234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("0046701234567", "+46701234567"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("+683 4002", "+6834002"),
    ],
)
def test_numbers_are_normalised_to_e164(written, e164):
    assert to_e164(written) == e164


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        (None, "missing"),
        ("   ", "missing"),
        ("9123456", "no_country"),  # 7 digits: not Norwegian, no country code
        ("070 123 45 67", "no_country"),  # a Swedish national number
        ("4612345678", "no_country"),
        ("+47 9123 456", "length"),
        ("+47 912345678", "length"),
        ("0047 012 34 567", "not_in_use"),
        ("11234567", "not_in_use"),
        ("+0123456789", "country_code"),
        ("+1234567890123456", "length"),
        ("+123456", "length"),
        ("9123 456x", "characters"),
        ("+47 ٩١٢٣٤٥٦٧", "characters"),  # Arabic-Indic digits are not ASCII digits
        ("tel:+4791234567", "characters"),
        ("9" * 41, "too_long"),
    ],
)
def test_other_text_is_refused_with_a_reason(written, reason):
    with pytest.raises(PhoneRefused) as refused:
        to_e164(written)
    assert refused.value.reason == reason
    assert str(refused.value)  # a sentence for the merchant


def test_norwegian_numbers_are_told_apart():
    assert is_norwegian("+4791234567")
    assert not is_norwegian("+46701234567")
    assert not is_norwegian("+471234")
