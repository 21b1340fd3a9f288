"""``GET /healthz``: is this process able to reach its database and Redis, and is the scheduler
beating? A late scheduler is reported (``"scheduler": "late"``) but does not fail the web
process's own health: restarting the web would not help."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from jobs.scheduler import scheduler_state
from runtime import current_runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 ``{"status": "ok", "scheduler": …}`` when both answer, 503 with what failed otherwise."""
    rt = current_runtime()
    checks = rt.health()
    scheduler = scheduler_state(rt.redis)
    if all(checks.values()):
        return jsonify({"status": "ok", "scheduler": scheduler}), 200
    failing = sorted(name for name, ok in checks.items() if not ok)
    return jsonify({"status": "unavailable", "failing": failing, "scheduler": scheduler}), 503
