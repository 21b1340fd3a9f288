"""Webhook intake (verify, record, enqueue) and the RQ jobs that do each topic's work."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the intake blueprint and every topic's handler."""
    import webhooks.handlers  # noqa: F401
    from webhooks.intake import bp

    app.register_blueprint(bp)
