"""How many SMS segments a text takes, and in which encoding (INTEGRATIONS.md §4b).

A text made only of the GSM 03.38 alphabet goes as GSM-7: 160 units in one SMS, or 153 per
segment once it needs several (each segment then carries a 6-byte header). The alphabet has
Æ Ø Å æ ø å, so Norwegian text stays GSM-7; the characters of its extension table
(``^ { } [ ] ~ \\ | €`` and form feed) take two units each. One character outside the
alphabet (a curly quote, an emoji, ``ê``) sends the whole text as UCS-2: 70 units in one SMS,
67 per segment, a unit being a UTF-16 code unit (an emoji outside the Basic Multilingual Plane
takes two). Neither an extension character's two units nor an emoji's two are split between
segments, so a long text can need a segment more than its units divided by 153 (or 67).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The GSM 03.38 default alphabet (its escape code aside): one unit each."""
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
"""The extension table, reached through the escape code: two units each."""


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


SINGLE = {Encoding.GSM7: 160, Encoding.UCS2: 70}
"""Units that fit in one SMS."""
PER_SEGMENT = {Encoding.GSM7: 153, Encoding.UCS2: 67}
"""Units per segment of a message sent in several."""


@dataclass(frozen=True)
class SmsLength:
    """A text's encoding, its units (septets or UTF-16 code units) and its segments."""

    encoding: Encoding
    units: int
    segments: int
    characters: int


def is_gsm7(text: str) -> bool:
    """Whether every character of ``text`` is in the GSM-7 alphabet or its extension."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def _units(character: str, encoding: Encoding) -> int:
    if encoding is Encoding.GSM7:
        return 2 if character in GSM7_EXTENSION else 1
    return 2 if ord(character) > 0xFFFF else 1


def sms_length(text: str) -> SmsLength:
    """The encoding, units and segments of ``text`` (0 segments for an empty text)."""
    encoding = Encoding.GSM7 if is_gsm7(text) else Encoding.UCS2
    sizes = [_units(c, encoding) for c in text]
    units = sum(sizes)
    if units <= SINGLE[encoding]:
        return SmsLength(encoding, units, 1 if units else 0, len(text))
    room = PER_SEGMENT[encoding]
    segments, used = 1, 0
    for size in sizes:
        if used + size > room:  # a two-unit character is never split between segments
            segments, used = segments + 1, 0
        used += size
    return SmsLength(encoding, units, segments, len(text))
