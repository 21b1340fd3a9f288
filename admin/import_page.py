"""``GET /import``: the Import page (upload a CSV, see the dry run, then apply it).

A shell like every admin page (:func:`admin.pages.render_admin_page`); ``import.js`` posts the
file to ``/api/imports`` with a session token and draws the mapping and per-row table.
"""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response as BaseResponse

from admin.pages import render_admin_page
from loyalty.imports.formats import SOURCES

bp = Blueprint("import_page", __name__)


@bp.get("/import")
def import_page() -> BaseResponse:
    """The Import page."""
    return render_admin_page("/import", "admin/import.html", sources=list(SOURCES.values()))
