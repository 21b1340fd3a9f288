"""Webhook intake (verify, record, enqueue) and the RQ jobs that do each topic's work."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the intake blueprint."""
