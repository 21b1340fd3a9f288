"""SMS segments: GSM-7 (Æ Ø Å included) at 160/153, its extension characters counting double,
UCS-2 at 70/67 once one character needs it, and no two-unit character split in two."""

from __future__ import annotations

import pytest

from loyalty.campaigns.sms_text import Encoding, is_gsm7, sms_length


def test_norwegian_text_is_gsm7():
    text = "Hei Åse! Ærlig talt, Øystein: 20 % på alt i dag. Svar STOPP for å melde deg av."
    assert is_gsm7("ÆØÅæøå")
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments) == (Encoding.GSM7, len(text), 1)


@pytest.mark.parametrize(
    ("text", "units", "segments"),
    [
        ("", 0, 0),
        ("a" * 160, 160, 1),
        ("a" * 161, 161, 2),
        ("æ" * 306, 306, 2),
        ("ø" * 307, 307, 3),
        ("€" * 80, 160, 1),  # the extension table: two units each
        ("€" * 81, 162, 2),
        ("a" * 152 + "€" + "a" * 10, 164, 2),
        # 306 units is two full segments, but the "[" does not fit in the first one's last unit
        ("a" * 152 + "[" + "a" * 152, 306, 3),
    ],
)
def test_gsm7_counts(text, units, segments):
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments) == (Encoding.GSM7, units, segments)


@pytest.mark.parametrize(
    ("text", "units", "segments"),
    [
        ("ê" * 70, 70, 1),  # ê is not in the GSM alphabet
        ("ê" * 71, 71, 2),
        ("“" + "a" * 133, 134, 2),  # one curly quote sends the whole text as UCS-2
        ("“" + "a" * 134, 135, 3),
        ("😀" * 35, 70, 1),  # an emoji is two UTF-16 units
        ("a" * 66 + "😀" + "a" * 66, 134, 3),  # the emoji moves whole to the second segment
    ],
)
def test_ucs2_counts(text, units, segments):
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments) == (Encoding.UCS2, units, segments)
