"""``GET /healthz``: is this process able to reach its database and Redis?"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from runtime import current_runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 ``{"status": "ok"}`` when both answer, 503 with what failed otherwise."""
    checks = current_runtime().health()
    if all(checks.values()):
        return jsonify({"status": "ok"}), 200
    failing = sorted(name for name, ok in checks.items() if not ok)
    return jsonify({"status": "unavailable", "failing": failing}), 503
