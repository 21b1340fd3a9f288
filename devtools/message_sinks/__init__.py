"""The dev command's message sinks: a fake Twilio and an SMTP server on loopback, and a page
for each showing what would have been sent (``/sms``, ``/email`` on the fake's HTTP server).

The app reaches the fake Twilio only through ``TWILIO_API_BASE`` (:attr:`MessageSinks.url`),
and the SMTP sink as the shop's mail server (``127.0.0.1``, :attr:`MessageSinks.smtp_port`, no
TLS: loopback). Tests use the same pieces (:class:`~.twilio.FakeTwilio`, :class:`~.smtp.SmtpSink`).
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from devtools.fake_shopify.server import LoopbackServer

from .pages import email_page, sms_page
from .smtp import SinkEmail, SmtpSink
from .twilio import FakeSms, FakeTwilio, signature

__all__ = ["FakeSms", "FakeTwilio", "MessageSinks", "SinkEmail", "SmtpSink", "signature"]


class MessageSinks:
    """The fake Twilio with its pages on ``http://host:port``, the SMTP sink on ``smtp_port``."""

    def __init__(
        self,
        port: int = 0,
        smtp_port: int | None = None,
        host: str = "127.0.0.1",
        *,
        auto_report: bool = True,
    ) -> None:
        self.host, self.port = host, port
        self.twilio = FakeTwilio(auto_report=auto_report)
        self.smtp = SmtpSink(smtp_port, host) if smtp_port else None
        self._server: LoopbackServer | None = None

    def start(self) -> MessageSinks:
        """Serve the HTTP side (port 0: a free one) and start the SMTP sink."""
        if self.smtp is not None:
            self.smtp.start()
        self._server = LoopbackServer(self._wsgi, self.host, self.port)
        self.port = self._server.port
        return self

    def stop(self) -> None:
        """Stop both."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self.smtp is not None:
            self.smtp.stop()

    @property
    def url(self) -> str:
        """The fake Twilio's origin: the value for ``TWILIO_API_BASE``."""
        return f"http://{self.host}:{self.port}"

    @property
    def smtp_port(self) -> int | None:
        """The SMTP sink's port (None without one)."""
        return self.smtp.port if self.smtp is not None else None

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self.twilio.handle(request)
        if response is None:
            response = self._page(request.path)
        return response(environ, start_response)

    def _page(self, path: str) -> Response:
        if path in ("/", "/sms"):
            with self.twilio.lock:
                html = sms_page(list(self.twilio.messages))
        elif path == "/email" and self.smtp is not None:
            with self.smtp.lock:
                html = email_page(list(self.smtp.messages))
        else:
            return Response("Not found", status=404, content_type="text/plain")
        return Response(html, content_type="text/html; charset=utf-8")
