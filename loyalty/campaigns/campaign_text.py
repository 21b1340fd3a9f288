"""A campaign's text: merge fields, the SMS length rule, the opt-out every message carries.

Texts are written per language (``{"nb": …, "en": …}``, both required: each member gets theirs,
or the shop's). Merge fields are names in braces: ``{first_name}``, ``{points}``, and ``{code}``
when the campaign's offer has a code (the member's own, or the shared one;
:mod:`loyalty.campaigns.offers`). Any other ``{…}`` is refused.

Norwegian marketing law wants an opt-out in every message: each SMS ends with an unsubscribe
link (``GET /l/{token}``, a token per recipient), each email carries it in its text and in
``List-Unsubscribe``. An SMS is checked at its longest: the merge fields at
:data:`LONGEST` and the opt-out line with the longest link; more than :data:`MAX_SEGMENTS`
segments is refused (``loyalty.campaigns.sms_text``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from loyalty.campaigns.providers import Email
from loyalty.campaigns.sms_text import sms_length
from loyalty.core.text import is_storable

LANGUAGES = ("nb", "en")
MAX_SEGMENTS = 10
MAX_EMAIL_TEXT = 20_000
MAX_SUBJECT = 200
MERGE_FIELDS = ("first_name", "points", "code")
"""What a text may name (``code`` only with an offer that has one)."""
LONGEST = {"first_name": "A" * 30, "points": "9" * 9}
"""The merge fields at their longest, for the SMS length check (names longer are cut)."""
TOKEN_LENGTH = 16
OPT_OUT = {
    "nb": "Meld deg av: {url}",
    "en": "Unsubscribe: {url}",
}
"""The opt-out line closing every SMS and email, by language (the member's)."""
EMAIL_FOOTER = {
    "nb": "Du får denne e-posten fordi du er medlem av kundeklubben.",
    "en": "You receive this email because you are a member of the club.",
}

_FIELD = re.compile(r"\{([^{}]*)\}")
_URL = re.compile(r"https?://[^\s<>\"'{}]+")
_TRAILING = ".,;:!?)]'\""
MAX_LINKS = 20
"""Links a text may hold, each tracked through ``/l/{token}-{n}`` (n from 1)."""


@dataclass(frozen=True)
class Recipient:
    """What a message to one member is made of."""

    first_name: str | None
    points: int
    language: str
    link: str
    code: str | None = None


def merge_field_errors(text: str, *, code: bool = False) -> str | None:
    """Why ``text`` names a merge field it may not (``{code}`` only if ``code``), or None."""
    names = _FIELD.findall(text)
    if "code" in names and not code:
        return "{code} needs an offer with a code (a code per member or a shared code)."
    unknown = sorted({n for n in names if n not in MERGE_FIELDS})
    if unknown:
        allowed = ", ".join("{" + n + "}" for n in MERGE_FIELDS)
        return f"Unknown merge field {{{unknown[0][:40]}}}: use {allowed}."
    if "{" in _FIELD.sub("", text) or "}" in _FIELD.sub("", text):
        return "A brace that opens no merge field: remove it."
    if any(text[m.end() : m.end() + 1] == "{" for m in _URL.finditer(text)):
        return "A merge field inside a link cannot be tracked: put it outside the link."
    if len(links(text)) > MAX_LINKS:
        return f"At most {MAX_LINKS} links."
    return None


def _link_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        if len(url) > len("https://"):
            spans.append((match.start(), match.start() + len(url)))
    return spans


def links(text: str) -> list[str]:
    """The links in a text, in order: the targets of its tracked links (1 is the first)."""
    return [text[a:b] for a, b in _link_spans(text)]


def track_links(text: str, link: str) -> str:
    """Each link in ``text`` replaced by the recipient's tracked one (``{link}-{n}``)."""
    if not link:
        return text
    out, last = [], 0
    for n, (a, b) in enumerate(_link_spans(text), start=1):
        out += [text[last:a], f"{link}-{n}"]
        last = b
    return "".join([*out, text[last:]])


def render(template: str, recipient: Recipient) -> str:
    """The text with its links tracked and the member's values in its merge fields (no
    opt-out line). Links are replaced first: a member's value is never taken for a link."""
    template = track_links(template, recipient.link)
    values = {
        "first_name": (recipient.first_name or "").strip()[: len(LONGEST["first_name"])],
        "points": str(recipient.points),
        "code": recipient.code or "",
    }
    return _FIELD.sub(lambda m: values[m.group(1)], template).strip()


def sms_body(template: str, recipient: Recipient) -> str:
    """The SMS a member gets: the text, then the opt-out line with their link."""
    line = OPT_OUT[recipient.language].format(url=recipient.link)
    return f"{render(template, recipient)}\n{line}"


def link_url(app_url: str, token: str) -> str:
    """A recipient's unsubscribe link (their tracked links add ``-{n}``)."""
    return f"{app_url.rstrip('/')}/l/{token}"


def campaign_email(to: str, template: str, subject: str, recipient: Recipient) -> Email:
    """The email a member gets: the text, the footer saying why, the opt-out link (in the
    text, the HTML and ``List-Unsubscribe``)."""
    text = render(template, recipient)
    language = recipient.language
    footer = f"{EMAIL_FOOTER[language]}\n{OPT_OUT[language].format(url=recipient.link)}"
    html = (
        f"<!DOCTYPE html><html><body><p>{escape(text)}</p>"
        f"<p><small>{escape(EMAIL_FOOTER[language])} "
        f'<a href="{escape(recipient.link)}">{escape(OPT_OUT[language].format(url=""))}</a>'
        "</small></p></body></html>"
    )
    return Email(
        to=to,
        subject=render(subject, recipient),
        text=f"{text}\n\n-- \n{footer}",
        html=html,
        unsubscribe_url=recipient.link,
    )


def longest_link(app_url: str) -> str:
    """The longest unsubscribe link a message may carry (for the length check)."""
    return f"{app_url.rstrip('/')}/l/{'x' * TOKEN_LENGTH}"


def sms_segments(template: str, language: str, app_url: str, code: str = "") -> int:
    """The segments of the longest SMS ``template`` can become (``code``: the longest code)."""
    recipient = Recipient(LONGEST["first_name"], 0, language, longest_link(app_url), code)
    text = sms_body(template.replace("{points}", LONGEST["points"]), recipient)
    return sms_length(text).segments


def check_texts(
    value: Any,
    field: str,
    *,
    sms: bool,
    app_url: str,
    max_length: int = MAX_EMAIL_TEXT,
    code: str | None = None,
) -> tuple[dict[str, str] | None, dict[str, str]]:
    """``{"nb", "en"}`` texts checked: (the texts, or None; errors by ``field.language``).

    ``code`` is the longest code the offer gives (None: no code, ``{code}`` is refused)."""
    if not isinstance(value, Mapping) or set(value) != set(LANGUAGES):
        return None, {field: 'Send a text per language: {"nb": "…", "en": "…"}.'}
    errors: dict[str, str] = {}
    texts: dict[str, str] = {}
    for language in LANGUAGES:
        text = value[language]
        key = f"{field}.{language}"
        if not isinstance(text, str) or not text.strip() or not is_storable(text):
            errors[key] = "Write the text."
        elif len(text) > max_length:
            errors[key] = f"At most {max_length} characters."
        elif (problem := merge_field_errors(text, code=code is not None)) is not None:
            errors[key] = problem
        elif sms and sms_segments(text, language, app_url, code or "") > MAX_SEGMENTS:
            errors[key] = (
                f"Longer than {MAX_SEGMENTS} SMS with the opt-out link and the merge fields "
                "at their longest: shorten it."
            )
        else:
            texts[language] = text.strip()
    return (texts if not errors else None), errors
