"""gunicorn's settings for Klubb's web process: ``gunicorn 'app:create_app()'``, run from here
(gunicorn reads ``./gunicorn.conf.py`` by itself)."""

from __future__ import annotations

from typing import Any


def on_starting(server: Any) -> None:
    """Check the configuration once, in the master, before it binds or starts a worker.

    A refused configuration then ends gunicorn with its problems listed once and exit status 4
    (``runtime.EXIT_CONFIG``), instead of each worker failing to boot with a traceback.
    """
    from runtime import environment_config

    environment_config()
