"""The webhook processor: the intake (verify, record, enqueue), one handler per topic in the
table of :mod:`webhooks.handlers`, and the jobs that run them (:mod:`webhooks.process`,
:mod:`webhooks.batch`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the worker imports this package for its jobs, and stays free of Flask
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the intake blueprint."""
    from webhooks.intake import bp

    app.register_blueprint(bp)
