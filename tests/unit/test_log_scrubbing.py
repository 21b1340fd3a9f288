"""What a log line may hold (loyalty/core/logs.py): no query strings, no exception messages,
whoever logs the line: the app, or gunicorn through the shipped ``gunicorn.conf.py``.

The end-to-end proof (the real gunicorn, an export failing midway) is
tests/privacy/test_export_failure_logs.py; here each rule and gunicorn's logger on its own.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config as GunicornConfig

from loyalty.core.logs import (
    ScrubFilter,
    scrub_exception_text,
    scrub_hook_secrets,
    scrub_query_strings,
)

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "kari.nordmann@example.com"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Error handling request GET /api/members.csv?query=kari.nordmann%40example.com",
            "Error handling request GET /api/members.csv?[scrubbed]",
        ),
        (
            '127.0.0.1 "GET /?shop=a.myshopify.com&id_token=eyJh HTTP/1.1" 200',
            '127.0.0.1 "GET /?[scrubbed] HTTP/1.1" 200',
        ),
        (
            "referer https://admin.shopify.com/store/a/apps/klubb?host=abc#top",
            "referer https://admin.shopify.com/store/a/apps/klubb?[scrubbed]#top",
        ),
        ("Is it down? Yes.", "Is it down? Yes."),
        ("GET /api/members.csv", "GET /api/members.csv"),
    ],
)
def test_query_strings_are_cut_off_urls_and_paths(line, expected):
    assert scrub_query_strings(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '127.0.0.1 "POST /hooks/twilio/Zk3-q_9x/status/17 HTTP/1.1" 204',
            '127.0.0.1 "POST /hooks/twilio/[scrubbed]/status/17 HTTP/1.1" 204',
        ),
        (
            "GET https://klubb.example.net/hooks/sveve/Zk3-q_9x/dlr?number=4791234567",
            "GET https://klubb.example.net/hooks/sveve/[scrubbed]/dlr?number=4791234567",
        ),
        ("POST /webhooks 200", "POST /webhooks 200"),
    ],
)
def test_the_secret_of_a_provider_callback_is_hidden(line, expected):
    assert scrub_hook_secrets(line) == expected


def test_the_filter_hides_callback_secrets_and_their_query_strings():
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '"%s" %s',
        ("GET /hooks/sveve/s3cr3t/dlr?number=1", 200),
        None,
    )
    ScrubFilter().filter(record)
    assert record.getMessage() == '"GET /hooks/sveve/[scrubbed]/dlr?[scrubbed]" 200'


def _formatted_failure() -> str:
    """A chained traceback as SQLAlchemy formats a database error: its SQL and parameters."""
    try:
        try:
            raise ValueError(f"no member {EMAIL}")
        except ValueError as err:
            raise RuntimeError(
                "(psycopg.errors.AdminShutdown) terminating connection\n"
                "[SQL: SELECT members.id FROM members\nWHERE members.email LIKE %(email)s]\n"
                f"[parameters: {{'email': '{EMAIL}%'}}]"
            ) from err
    except RuntimeError:
        return logging.Formatter().formatException(sys.exc_info())


def test_an_exception_keeps_its_frames_and_types_but_no_message():
    scrubbed = scrub_exception_text(_formatted_failure())
    assert "kari" not in scrubbed.lower()
    assert "WHERE" not in scrubbed and "[parameters" not in scrubbed
    assert "\nValueError\n" in scrubbed and scrubbed.endswith("\nRuntimeError")
    assert "The above exception was the direct cause" in scrubbed
    assert 'raise ValueError(f"no member {EMAIL}")' in scrubbed  # a frame: source, not data


def test_the_filter_scrubs_a_records_message_and_exception_for_every_formatter():
    try:
        raise RuntimeError(f"duplicate {EMAIL}")
    except RuntimeError:
        record = logging.LogRecord(
            "gunicorn.error", logging.ERROR, __file__, 1, "Error handling request %s %s",
            ("GET", f"/api/members.csv?query={EMAIL}"), sys.exc_info(),
        )  # fmt: skip
    assert ScrubFilter().filter(record) is True
    assert record.exc_info is None  # no formatter can print the original any more
    text = logging.Formatter("%(message)s").format(record)
    assert text.startswith("Error handling request GET /api/members.csv?[scrubbed]\n")
    assert "kari" not in text.lower() and text.endswith("\nRuntimeError")


def _gunicorn_conf() -> dict[str, object]:
    spec = importlib.util.spec_from_file_location("klubb_gunicorn_conf", ROOT / "gunicorn.conf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def _gunicorn_logger(**settings: object) -> object:
    """gunicorn's logger as ``gunicorn -c gunicorn.conf.py`` builds it, with ``settings`` on top."""
    cfg = GunicornConfig()
    conf = _gunicorn_conf()
    for name, value in conf.items():
        if name in cfg.settings:
            cfg.set(name, value)
    for name, value in settings.items():
        cfg.set(name, value)
    return cfg.logger_class(cfg)


def _request(query: str) -> tuple[object, object, dict[str, str]]:
    response = SimpleNamespace(status="200 OK", headers=[], sent=120)
    request = SimpleNamespace(headers=[("REFERER", f"https://admin.shopify.com/x?{query}")])
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/members.csv?{query}",
        "PATH_INFO": "/api/members.csv",
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://admin.shopify.com/x?{query}",
    }
    return response, request, environ


def test_gunicorns_access_log_keeps_the_path_and_drops_the_query(capsys):
    logger = _gunicorn_logger(accesslog="-")
    logger.access(*_request(f"query={EMAIL}"), timedelta(seconds=1))
    line = capsys.readouterr().out
    assert line.startswith('127.0.0.1 "GET /api/members.csv" 200 120 1.000000')
    assert "kari" not in line.lower()


def test_an_access_log_format_that_asks_for_the_query_is_scrubbed(capsys):
    logger = _gunicorn_logger(accesslog="-", access_log_format='%(h)s "%(r)s" %(s)s %(q)s "%(f)s"')
    logger.access(*_request(f"query={EMAIL}"), timedelta(seconds=1))
    line = capsys.readouterr().out
    assert '"GET /api/members.csv?[scrubbed] HTTP/1.1" 200' in line
    assert "kari" not in line.lower()


def test_gunicorns_error_log_scrubs_its_request_line_and_traceback(capsys):
    logger = _gunicorn_logger()
    try:
        raise RuntimeError(f"[parameters: {{'email': '{EMAIL}'}}]")
    except RuntimeError:
        logger.exception("Error handling request %s %s", "GET", f"/api/members.csv?query={EMAIL}")
    text = capsys.readouterr().err
    assert "Error handling request GET /api/members.csv?[scrubbed]" in text
    assert "RuntimeError" in text and "kari" not in text.lower()
