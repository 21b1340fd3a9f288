"""``GET /backfill``: the admin page showing the backfill's progress, to start it over.

A shell like every admin page (:func:`admin.pages.render_admin_page`); ``backfill.js`` loads the
state from ``/api/backfill`` with a session token and polls it while a run is under way.
"""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response as BaseResponse

from admin.pages import render_admin_page

bp = Blueprint("backfill_page", __name__)


@bp.get("/backfill")
def backfill_page() -> BaseResponse:
    """The backfill page."""
    return render_admin_page("/backfill", "admin/backfill.html")
