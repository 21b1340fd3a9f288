"""``GET /appearance``: the Widget appearance page (colours, texts, side, live preview).

A shell like every admin page (:func:`admin.pages.render_admin_page`); ``appearance.js`` loads
and saves ``/api/appearance`` with session tokens and draws the preview and contrast warning.
The preview shows the widget in the language picked under it, whatever the admin's language,
so the page carries the preview's texts in every language the widget speaks.
"""

from __future__ import annotations

from flask import Blueprint
from flask_babel import force_locale, gettext
from werkzeug.wrappers import Response as BaseResponse

from admin.pages import render_admin_page
from i18n import LANGUAGES, current_language

bp = Blueprint("appearance_page", __name__)


def preview_texts() -> dict[str, dict[str, str]]:
    """The preview panel's texts by language; ``{points}`` and ``{amount}`` are filled in by
    appearance.js, formatted for that language."""
    texts = {}
    for language in LANGUAGES:
        with force_locale(language):
            texts[language] = {
                "head": gettext("Rewards club"),
                "balance": gettext("Your points"),
                "progress": gettext("{points} points to go to {amount} off"),
                "redeem": gettext("Redeem"),
            }
    return texts


@bp.get("/appearance")
def appearance() -> BaseResponse:
    """Widget appearance: the storefront widget's colours, texts and position."""
    return render_admin_page(
        "/appearance",
        "admin/appearance.html",
        preview=preview_texts(),
        preview_language=current_language(),
    )
