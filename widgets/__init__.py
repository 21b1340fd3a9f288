"""The storefront widget's app-proxy API and server-rendered parts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the app-proxy blueprint."""
    from widgets.api import bp as api_bp
    from widgets.redemptions import bp as redemptions_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(__import__("widgets.me", fromlist=["bp"]).bp)
    app.register_blueprint(redemptions_bp)
