"""The merchant-facing web: install and tokens, session-token auth, the embedded admin and /api."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the admin's blueprints."""
    from admin.health import bp as health_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(__import__("admin.install", fromlist=["bp"]).bp)

    from admin.api import bp as api_bp
    from admin.pages import bp as pages_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(api_bp)
