"""Every message of the app's pages has a Norwegian translation (translations/README.md)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from i18n import TRANSLATIONS, catalogue, normalise

ROOT = Path(__file__).resolve().parents[2]
PYTHON_KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
SAME_IN_BOTH = {"Klubb", "OK", "CSV", "E-mail", "Status", "Start", "Nr.", "Export CSV", "SMS"}
"""Messages that are written the same in bokmål (names, abbreviations, loanwords)."""


def _template_messages() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "templates").rglob("*.html")):
        with path.open("rb") as handle:
            for line, _func, message, _comments in babel_extract(
                handle, ("_", "gettext", "ngettext"), [], {"trimmed": "true"}
            ):
                for msgid in message if isinstance(message, tuple) else (message,):
                    if msgid:
                        yield f"{path.relative_to(ROOT)}:{line}", msgid


def _python_messages() -> Iterator[tuple[str, str]]:
    for folder in ("admin", "widgets", "loyalty"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            with path.open("rb") as handle:
                for line, _func, message, _comments in extract_python(
                    handle, PYTHON_KEYWORDS, [], {}
                ):
                    for msgid in message if isinstance(message, tuple) else (message,):
                        if isinstance(msgid, str) and msgid:
                            yield f"{path.relative_to(ROOT)}:{line}", msgid


def test_every_catalogue_parses_without_duplicates_or_fuzzy_entries() -> None:
    files = sorted((TRANSLATIONS / "nb").glob("*.po"))
    assert files, "translations/nb holds no catalogue"
    seen: dict[str, str] = {}
    for path in files:
        with path.open("rb") as handle:
            messages = read_po(handle, locale="nb")
        for message in messages:
            if not message.id:
                continue
            assert not message.fuzzy, f"{path.name}: fuzzy entry {message.id!r}"
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            other = seen.get(msgid)
            assert other is None or other == path.name, (
                f"{msgid!r} is in both {other} and {path.name}: keep it in one catalogue"
            )
            seen[msgid] = path.name


def test_every_message_of_the_pages_has_a_norwegian_translation() -> None:
    nb = catalogue("nb")
    missing = []
    for where, msgid in [*_template_messages(), *_python_messages()]:
        translated = nb.gettext(msgid)
        if translated == msgid and msgid not in SAME_IN_BOTH:
            missing.append(f"{where}: {msgid!r}")
    assert not missing, "no Norwegian for:\n" + "\n".join(sorted(set(missing)))


def test_the_extraction_finds_the_pages_messages() -> None:
    """Guards the test above against silently extracting nothing."""
    found = {msgid for _where, msgid in _template_messages()}
    found |= {msgid for _where, msgid in _python_messages()}
    assert "Members" in found


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("nb", "nb"), ("nb-NO", "nb"), ("no", "nb"), ("nn_NO", "nb"), ("en-GB", "en"), ("de", None)],
)
def test_language_tags_are_normalised(tag: str, expected: str | None) -> None:
    assert normalise(tag) == expected
