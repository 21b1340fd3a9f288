"""The webhook processor: the intake (verify, record, enqueue), one handler per topic in the
table of :mod:`webhooks.handlers`, and the jobs that run them (:mod:`webhooks.process`,
:mod:`webhooks.batch`)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the intake blueprint."""
    from webhooks.intake import bp

    app.register_blueprint(bp)
