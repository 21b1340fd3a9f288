"""The storefront widget's app-proxy API and server-rendered parts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the app-proxy blueprint."""
    from widgets.api import bp as api_bp

    app.register_blueprint(api_bp)
