"""Klubb's composition root: ``create_app`` wires configuration, resources, blueprints and commands.

The processes (docs/architecture.md, "Processes"):

- web: ``gunicorn 'app:create_app()'`` in production; this module builds it.
- worker: ``flask --app app worker [--burst]`` (:func:`jobs.worker.run_worker`), or RQ's own
  ``rq worker-pool -w jobs.worker.AppWorker …``; it builds its :class:`runtime.Runtime` from
  :class:`~loyalty.core.config.Config` without a web app.
- scheduler: ``python -m jobs.scheduler`` (:mod:`jobs.scheduler`: RQ's cron over
  :mod:`jobs.schedule`, started again after a Redis outage), one per Redis.
- everything at once, on the embedded defaults: ``flask --app app dev`` (:mod:`devtools.dev`).
"""

from __future__ import annotations

import gc
from contextvars import Token
from typing import Any

from flask import Flask
from flask.ctx import AppContext

import runtime
from loyalty.core.config import Config
from loyalty.core.logs import configure_logging
from webhooks.intake import BODY_LIMIT


class _RuntimeAppContext(AppContext):
    """An app context that binds the app's runtime (``runtime.current_runtime``) while pushed."""

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self._runtime_tokens: list[Token[runtime.Runtime | None]] = []

    def push(self) -> None:
        super().push()
        self._runtime_tokens.append(runtime.bind(self.app.extensions["klubb"]))

    def pop(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().pop(*args, **kwargs)
        finally:
            runtime.unbind(self._runtime_tokens.pop())


class KlubbFlask(Flask):
    """Flask whose every app context (requests, CLI commands, tests) binds the app's runtime."""

    def app_context(self) -> AppContext:
        return _RuntimeAppContext(self)


def create_app(config: Config | None = None) -> Flask:
    """Build the Flask app. ``config`` defaults to one read from the environment (and ``.env``);
    a refused one ends the process there (:func:`runtime.environment_config`)."""
    if config is None:
        config = runtime.environment_config()

    app = KlubbFlask(__name__, instance_path=str(config.instance_path), template_folder="templates")
    app.config.update(
        KLUBB=config,
        TESTING=config.testing,
        MAX_CONTENT_LENGTH=BODY_LIMIT,
        JSON_SORT_KEYS=False,
    )
    configure_logging()  # through the filter that drops messages and query strings

    import errors
    import i18n

    app.extensions["klubb"] = runtime.build_runtime(config)
    errors.init_app(app)
    i18n.init_app(app)

    from admin import init_app as init_admin
    from hooks import init_app as init_hooks
    from webhooks import init_app as init_webhooks
    from widgets import init_app as init_widgets

    init_admin(app)
    init_webhooks(app)
    init_widgets(app)
    init_hooks(app)

    register_commands(app)
    if not config.testing:
        # What is built so far lives as long as the process: keep it out of the cyclic
        # collector's full passes (100-160 ms each at this heap size, which showed as p99
        # spikes in bench/dashboard.py). Tests build many apps and need them collected.
        gc.collect()
        gc.freeze()
    return app


def register_commands(app: Flask) -> None:
    """``flask --app app db upgrade``, ``worker`` and ``dev``."""
    import click
    from flask.cli import AppGroup

    db_cli = AppGroup("db", help="Database schema (Alembic migrations).")

    @db_cli.command("upgrade")
    @click.argument("revision", default="head")
    def db_upgrade(revision: str) -> None:
        """Apply migrations up to REVISION (default: head)."""
        from migrations import upgrade

        upgrade(app.config["KLUBB"], revision)
        click.echo(f"database at {revision}")

    app.cli.add_command(db_cli)

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Exit once every queue is empty.")
    @click.option("--queues", default="", help="Comma-separated queue names (default: all).")
    def worker(burst: bool, queues: str) -> None:
        """Run an RQ worker on the app's queues with the app's configuration."""
        from jobs.worker import run_worker

        names = [q.strip() for q in queues.split(",") if q.strip()] or None
        run_worker(app.extensions["klubb"], names, burst=burst)

    @app.cli.command("dev")
    @click.option("--port", type=int, default=None, help="Port (default: APP_URL's port).")
    @click.option("--fake-port", type=int, default=8081, help="Port of the fake Shopify.")
    @click.option(
        "--sink-port", type=int, default=8083, help="Port of the SMS sink (a fake Twilio)."
    )
    @click.option("--smtp-port", type=int, default=8025, help="Port of the email sink (SMTP).")
    @click.option("--no-demo", is_flag=True, help="Do not install the demo shop.")
    def dev(
        port: int | None, fake_port: int, sink_port: int, smtp_port: int, no_demo: bool
    ) -> None:
        """Run web + worker + scheduler + the fake Shopify with a demo shop, on the defaults."""
        from devtools.dev import Ports, run_dev

        ports = Ports(web=port, fake_shopify=fake_port, sms_sink=sink_port, smtp_sink=smtp_port)
        run_dev(app, create_app, ports, demo=not no_demo)
