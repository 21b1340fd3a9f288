"""The merchant-facing web: install and tokens, session-token auth, the embedded admin and /api."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the admin's blueprints.

    The ``/api`` routes live in several modules that all add to :data:`admin.api.bp`; they are
    imported before the blueprint is registered, since Flask freezes a blueprint on registration.
    """
    import admin.analytics_api
    import admin.appearance_api
    import admin.audit_api
    import admin.backfill_api
    import admin.campaign_actions_api
    import admin.campaigns_api
    import admin.events_api
    import admin.import_api
    import admin.members_api
    import admin.members_list_api
    import admin.messaging_api
    import admin.privacy_api
    import admin.referrals_api
    import admin.rewards_api
    import admin.segments_api
    import admin.setup_guide_api
    import admin.stamp_cards_api
    import admin.tiers_api
    import admin.vouchers_api  # noqa: F401
    from admin.api import bp as api_bp
    from admin.appearance_page import bp as appearance_page_bp
    from admin.backfill_page import bp as backfill_page_bp
    from admin.health import bp as health_bp
    from admin.import_page import bp as import_page_bp
    from admin.install import bp as install_bp
    from admin.ops_pages import bp as ops_pages_bp
    from admin.pages import bp as pages_bp
    from admin.privacy_page import bp as privacy_page_bp

    blueprints = (health_bp, install_bp, pages_bp, api_bp, privacy_page_bp, appearance_page_bp)
    for blueprint in (*blueprints, backfill_page_bp, import_page_bp, ops_pages_bp):
        app.register_blueprint(blueprint)
