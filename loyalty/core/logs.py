"""What a log line may hold: tracebacks without their messages, URLs without their query strings.

Exception messages quote data (a database error its SQL parameters, a handler the payload it
choked on), and query strings carry what a person typed (the admin's member search sends a
name, email or phone as ``?query=``) or a session token (the admin's first load). Neither is
ever logged:

- :func:`scrub_exception_text` keeps a formatted traceback's frames and exception types, never
  a message (RQ's stored failures use it, see :mod:`jobs.worker`);
- :func:`scrub_query_strings` cuts the query string off every URL or path in a text;
- :func:`scrub_hook_secrets` hides the secret in a provider callback's path
  (``/hooks/twilio/<secret>/…``, which the request line of every callback holds);
- :class:`ScrubFilter` applies both to a log record, whoever logged it: the handler the web
  process logs through carries it (:func:`configure_logging`), and so do gunicorn's error and
  access logs (``gunicorn.conf.py``), which log request lines and the tracebacks of errors
  raised while a response streams.

Standard library only, so the web process, the worker and gunicorn's configuration share it.
"""

from __future__ import annotations

import logging
import re

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
SCRUBBED = "[scrubbed]"  # what stands for a query string in a log line

# A URL (scheme://…) or a path (/…) up to its "?", then the query string up to whitespace, a
# quote or a fragment.
_QUERY = re.compile(r"((?:[a-z][a-z0-9+.-]*://|/)[^\s?#\"'<>]*)\?[^\s#\"'<>]*", re.IGNORECASE)
_CHAIN = ("Traceback", "During handling", "The above exception")
_HOOK_SECRET = re.compile(r"(/hooks/[A-Za-z0-9_-]+/)[^/\s?#\"'<>]+")


def scrub_query_strings(text: str) -> str:
    """``text`` with the query string of every URL or path in it replaced by ``?[scrubbed]``."""
    if "?" not in text:
        return text
    return _QUERY.sub(lambda m: f"{m.group(1)}?{SCRUBBED}", text)


def scrub_hook_secrets(text: str) -> str:
    """``text`` with the secret segment of every ``/hooks/{provider}/{secret}`` path scrubbed."""
    if "/hooks/" not in text:
        return text
    return _HOOK_SECRET.sub(lambda m: f"{m.group(1)}{SCRUBBED}", text)


def scrub_exception_text(text: str) -> str:
    """A formatted traceback without its messages: frames and exception types only.

    Frame lines (indented) and the chaining sentences are kept. An exception's message starts
    on the first line after its frames, of which only the part before the first ``:`` (the
    type) is kept; its further lines (SQLAlchemy adds the SQL and its parameters) are dropped
    up to the next blank line or chaining sentence.
    """
    kept = []
    in_message = False
    for line in text.splitlines():
        if not line or line.startswith(_CHAIN):
            in_message = False
            kept.append(line)
        elif in_message:
            continue
        elif line.startswith(" "):
            kept.append(line)
        else:
            kept.append(line.split(":", 1)[0])
            in_message = True
    return "\n".join(kept)


class ScrubFilter(logging.Filter):
    """Rewrites a record in place: its message without query strings or callback secrets, its
    exception as :func:`scrub_exception_text` (put in ``exc_text``, ``exc_info`` dropped, so no
    formatter can print the original). Lets every record through."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub_hook_secrets(scrub_query_strings(record.getMessage()))
        record.args = None
        if record.exc_info:
            text = record.exc_text or self._formatter.formatException(record.exc_info)
            record.exc_text = scrub_exception_text(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub_exception_text(record.exc_text)
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Log to standard error through a :class:`ScrubFilter`, unless logging is configured.

    What :func:`logging.basicConfig` does, with the filter on the handler, so that records of
    every logger (they propagate to the root's handler) are scrubbed. A root logger that has
    handlers already (gunicorn's ``logconfig``, a test run's capture) is left as it is.
    """
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(ScrubFilter())
    root.addHandler(handler)
    root.setLevel(level)
