"""``GET /privacy-requests`` and ``GET /failed-events``: the merchant's operational pages.

Shells like every admin page (:func:`admin.pages.render_admin_page`): ``privacy_requests.js``
lists ``GET /api/privacy-requests`` (status, due date, a flag as the 30-day deadline nears, the
export's download) and ``failed_events.js`` lists ``GET /api/failed-events`` with a Retry button
(``POST /api/failed-events/{id}/retry``). ``/privacy`` is the public privacy policy
(:mod:`admin.privacy_page`), hence the longer path.
"""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response as BaseResponse

from admin.pages import render_admin_page

bp = Blueprint("ops_pages", __name__)


@bp.get("/privacy-requests")
def privacy_requests_page() -> BaseResponse:
    """Privacy requests: kind, received, due date and status, and the export to download."""
    return render_admin_page("/privacy-requests", "admin/privacy_requests.html")


@bp.get("/failed-events")
def failed_events_page() -> BaseResponse:
    """Failed webhook events: topic, times, attempts, the error's type, and a Retry button."""
    return render_admin_page("/failed-events", "admin/failed_events.html")
