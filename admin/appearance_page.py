"""``GET /appearance``: the Widget appearance page (colours, texts, side, live preview).

A shell like every admin page (:func:`admin.pages.render_admin_page`); ``appearance.js`` loads
and saves ``/api/appearance`` with session tokens and draws the preview and contrast warning.
"""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response as BaseResponse

from admin.pages import render_admin_page

bp = Blueprint("appearance_page", __name__)


@bp.get("/appearance")
def appearance() -> BaseResponse:
    """Widget appearance: the storefront widget's colours, texts and position."""
    return render_admin_page("/appearance", "admin/appearance.html")
