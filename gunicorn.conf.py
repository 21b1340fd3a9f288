"""gunicorn's settings for Klubb's web process: what its own logs may hold.

gunicorn reads ``./gunicorn.conf.py`` when started from the repository root; the production
command names it anyway (``gunicorn -c gunicorn.conf.py --bind … --workers N 'app:create_app()'``,
docs/operations.md). Command-line flags still win over what is set here.

gunicorn logs outside the app: request lines (its access log, and "Error handling request GET
/…?…" when a request fails before an answer) and the traceback of an error raised while a
response streams, after Flask's error handlers are done. Query strings carry what a person
typed (the admin's member search: a name, an email, a phone) and database errors quote their
parameters, so both of its logs go through :class:`loyalty.core.logs.ScrubFilter`, as the app's
own log does: no query strings, no exception messages. The access log (off unless
``--access-logfile`` is given) logs the path without the query, and a format that asks for it
(``%(r)s``, ``%(q)s``, ``%(f)s``) gets it scrubbed.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from loyalty.core.logs import SCRUBBED, ScrubFilter

# Client, method and path (no query string), status, bytes, seconds.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)s'


class ScrubbingLogger(Logger):
    """gunicorn's logger with :class:`ScrubFilter` on its error and access logs, and an access
    log whose bare query string (``%(q)s``, not recognisable as part of a URL) is scrubbed."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)  # also run again by a configuration reload (SIGHUP)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, ScrubFilter) for f in log.filters):
                log.addFilter(ScrubFilter())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        found: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("q", "{query_string}e"):
            if found.get(key):
                found[key] = SCRUBBED
        return found


logger_class = ScrubbingLogger


def on_starting(server: Any) -> None:
    """Check the configuration once, in the master, before it binds or starts a worker.

    A refused configuration then ends gunicorn with its problems listed once and exit status 4
    (``runtime.EXIT_CONFIG``), instead of each worker failing to boot with a traceback.
    """
    from runtime import environment_config

    environment_config()
