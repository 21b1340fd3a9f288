"""What each audit action means, in the admin's language (``member.adjusted`` → "Points adjusted").

The audit log stores codes (``<who>.<what>``, see :mod:`loyalty.privacy.audit`), which programs and the
data export keep using; staff read labels. A code without a label (an entry written before its
label existed) is shown as the code. tests/admin/test_audit_labels.py finds every code
the code base writes and checks that each has a label here, and each label a code.

An entry's ``detail`` is also a code (``points=+50``, ``email=granted``, ``profile``):
:func:`detail_label` says it in words where it tells staff something the label does not.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import format_decimal, ngettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from loyalty.core.ids import whole_from_text

ACTION_LABELS: dict[str, LazyString] = {
    # By staff in the admin.
    "member.read": _l("Member data viewed"),
    "member.adjusted": _l("Points adjusted"),
    "member.imported": _l("Imported from a file"),
    "privacy.export_downloaded": _l("Data request export downloaded"),
    "members.searched": _l("Members searched"),
    "members.exported": _l("Members exported"),
    "import.applied": _l("Import applied"),
    "backfill.start": _l("Backfill started"),
    "settings.update": _l("Program settings changed"),
    "appearance.update": _l("Widget appearance changed"),
    "messaging.update": _l("Messaging provider changed"),
    "tiers.update": _l("Tiers changed"),
    "vouchers.update": _l("Voucher rules changed"),
    "stamp_cards.update": _l("Stamp cards changed"),
    "referrals.read": _l("Referrals report viewed"),
    # By the member, in the widget.
    "member.profile_updated": _l("Profile updated"),
    "member.consent_changed": _l("Marketing consent changed"),
    "member.restricted": _l("Use of data restricted"),
    "member.restriction_lifted": _l("Restriction lifted"),
    "member.exported": _l("Member's own download"),
    "member.left": _l("Member left the club"),
    # By Klubb itself.
    "retention.member_anonymised": _l("Anonymised after inactivity"),
    "privacy.data_request_exported": _l("Export made for a data request"),
    "privacy.customer_redacted": _l("Customer erasure"),
}


OLDER_LABELS: dict[str, LazyString] = {
    # Rows written before reads were joined into one ``member.read`` per look (session 9).
    "audit.read": _l("Activity log viewed"),
}
"""Labels of actions nothing writes any more but older rows of the log still hold."""


def action_label(action: str) -> str:
    """The label of ``action`` in the request's language; the code itself if it has none."""
    label = ACTION_LABELS.get(action) or OLDER_LABELS.get(action)
    return action if label is None else str(label)


def format_points(points: int, *, signed: bool = False) -> str:
    """``1250`` → "1,250" in English, "1 250" in Norwegian; ``signed`` puts "+" on a gain."""
    text = format_decimal(points)
    return f"+{text}" if signed and points > 0 else text


_FIELDS: dict[str, LazyString] = {
    "birthday": _l("birthday"),
    "preferred_name": _l("preferred name"),
    "language": _l("language"),
}
_CHANNELS: dict[str, LazyString | str] = {"email": _l("email"), "sms": "SMS"}
_CONSENTS: dict[str, LazyString] = {"granted": _l("subscribed"), "withdrawn": _l("unsubscribed")}
_WORDS: dict[str, LazyString] = {
    "profile": _l("profile"),
    "ledger": _l("balance and points history"),
    "enrolled": _l("new member"),
    "audit": _l("activity log"),
}


def _points_or_word(detail: str) -> str | None:
    """``points=+50`` → "+50 points"; ``enrolled`` → "new member"."""
    name, _, value = detail.partition("=")
    points = whole_from_text(value) if name == "points" else None
    if points is not None:
        signed = format_points(points, signed=True)
        return ngettext("%(count)s point", "%(count)s points", abs(points), count=signed)
    return _word(detail)


def _word(detail: str) -> str | None:
    """``profile`` → "profile" (the profile, not the balance, was read)."""
    word = _WORDS.get(detail)
    return None if word is None else str(word)


def _words(detail: str) -> str | None:
    """``ledger,audit`` → "balance and points history, activity log" (the parts one look read)."""
    words = [_word(part) for part in detail.split(",")]
    return ", ".join(w for w in words if w) or None


def _fields(detail: str) -> str | None:
    """``birthday,language`` → "birthday, language"."""
    return ", ".join(str(_FIELDS.get(name, name)) for name in detail.split(","))


def _consents(detail: str) -> str | None:
    """``email=granted,sms=withdrawn`` → "email subscribed, SMS unsubscribed"."""
    parts = []
    for item in detail.split(","):
        channel, _, state = item.partition("=")
        parts.append(f"{_CHANNELS.get(channel, channel)} {_CONSENTS.get(state, state)}")
    return ", ".join(parts)


def _file_format(detail: str) -> str | None:
    """``csv`` → "CSV"."""
    return detail.upper()


_DETAILS: dict[str, Callable[[str], str | None]] = {
    "member.read": _words,
    "member.adjusted": _points_or_word,
    "member.imported": _points_or_word,
    "member.profile_updated": _fields,
    "member.consent_changed": _consents,
    "member.exported": _file_format,
}
"""How to say the detail of each action that has one worth showing on a member's page.

Left out on purpose: ids of requests and runs, and lists of search fields, which only repeat
what the label says or mean nothing to staff."""


def detail_label(action: str, detail: str | None) -> str | None:
    """``detail`` of an ``action`` in words in the request's language; None where it adds
    nothing for staff (no detail, or one of an action without words for it)."""
    if not detail:
        return None
    say = _DETAILS.get(action)
    return None if say is None else say(detail)
