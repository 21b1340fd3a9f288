"""English and Norwegian bokmål for the app's pages (flask-babel).

Catalogues are plain ``.po`` files, one per area of the app, in ``translations/<lang>/*.po``
(for example ``translations/nb/admin.po``): each area keeps its own file, so work on one page
never conflicts with another. They are read and merged once per process, in memory, so there
are no compiled ``.mo`` files to build or to forget to rebuild.

The locale comes from the request: Shopify opens an embedded app with ``?locale=`` (the staff
member's admin language); failing that, the browser's ``Accept-Language``; then English.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, has_request_context, request
from flask_babel import Babel, Domain, get_locale, refresh
from werkzeug.utils import cached_property

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGES = ("en", "nb")
"""The languages the app speaks; English is the source language of every message."""

_ALIASES = {"no": "nb", "nn": "nb"}
"""Norwegian as a whole, and nynorsk, are answered in bokmål rather than English."""


def normalise(tag: str | None) -> str | None:
    """``nb-NO``, ``no``, ``NB`` → ``nb``; ``en-GB`` → ``en``; anything else → None."""
    if not tag:
        return None
    language = tag.strip().replace("_", "-").split("-")[0].lower()
    language = _ALIASES.get(language, language)
    return language if language in LANGUAGES else None


def select_locale() -> str:
    """The request's language (see the module docstring)."""
    if not has_request_context():
        return LANGUAGES[0]
    chosen = normalise(request.args.get("locale"))
    if chosen:
        return chosen
    for tag, _quality in request.accept_languages:
        chosen = normalise(tag)
        if chosen:
            return chosen
    return LANGUAGES[0]


def current_language() -> str:
    """The language of the request being answered (``en`` outside a request)."""
    locale = get_locale() if has_request_context() else None
    return locale.language if locale is not None else LANGUAGES[0]


@cache
def catalogue(language: str) -> NullTranslations:
    """Every ``translations/<language>/*.po`` merged into one set of translations."""
    merged: NullTranslations = NullTranslations()
    folder = TRANSLATIONS / language
    for po_path in sorted(folder.glob("*.po")) if folder.is_dir() else ():
        with po_path.open("rb") as handle:
            messages = read_po(handle, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, messages)
        buffer.seek(0)
        translations = Translations(fp=buffer)
        if isinstance(merged, Translations):
            merged.merge(translations)
        else:
            merged = translations
    return merged


class PoDomain(Domain):
    """flask-babel's default domain, reading :func:`catalogue` instead of ``.mo`` files."""

    def get_translations(self) -> NullTranslations:
        if not has_request_context():
            return NullTranslations()
        return catalogue(current_language())


class KlubbBabel(Babel):
    """flask-babel with :class:`PoDomain` as the default domain."""

    @cached_property
    def domain_instance(self) -> Domain:
        return PoDomain()  # type: ignore[no-untyped-call]  # flask-babel: Domain.__init__ is unannotated


def init_app(app: Flask) -> None:
    """Install gettext in Jinja (``{{ _("Text") }}``) and the locale selector."""
    KlubbBabel(app, locale_selector=select_locale)  # type: ignore[no-untyped-call]  # flask-babel: Babel.__init__ is unannotated
    # flask-babel keeps the chosen locale on the app context; a context shared by several
    # requests (tests, CLI) must not answer the second request in the first one's language.
    app.before_request(refresh)
    app.jinja_env.globals["current_language"] = current_language
