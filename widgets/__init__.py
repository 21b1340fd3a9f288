"""The storefront widget's app-proxy API and server-rendered parts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the app-proxy blueprints (the JSON API, the member's own data, the loyalty page,
    the proxy's OpenAPI document at ``GET /api/openapi/proxy.json``) and their rate limits."""
    from widgets import ratelimit
    from widgets.api import bp as api_bp
    from widgets.api import docs_bp
    from widgets.earning import bp as earning_bp
    from widgets.me import bp as me_bp
    from widgets.page import bp as page_bp
    from widgets.redemptions import bp as redemptions_bp
    from widgets.referrals import bp as referrals_bp

    for blueprint in (api_bp, me_bp, earning_bp, redemptions_bp, referrals_bp, page_bp, docs_bp):
        app.register_blueprint(blueprint)
    ratelimit.init_app(app)
