"""A real SMTP server on loopback (aiosmtpd) that keeps every message it is given.

Plain by default, as the dev email sink runs; ``tls_context`` offers STARTTLS (with
``require_starttls``), ``implicit_tls`` serves TLS from the first byte (port 465's way), and
``logins`` ({user: password}) requires AUTH, over TLS only (aiosmtpd's default). Messages are
parsed once taken (:class:`SinkEmail`); :meth:`SmtpSink.refuse` makes the server refuse a
recipient with a chosen reply.
"""

from __future__ import annotations

import ssl
import threading
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True)
class SinkEmail:
    """One message the sink took: its envelope and its parsed parts."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    received_at: datetime

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def part(self, subtype: str) -> str | None:
        """The text of the ``text/{subtype}`` part, if there is one."""
        body = self.message.get_body(preferencelist=(subtype,))
        return None if body is None else str(body.get_content())  # type: ignore[attr-defined]


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(  # aiosmtpd calls these hooks by name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        reply = self.sink.refused.get(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # aiosmtpd calls these hooks by name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        parsed = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        email = SinkEmail(
            mail_from=str(envelope.mail_from),
            rcpt_tos=tuple(envelope.rcpt_tos),
            message=parsed,  # type: ignore[arg-type]
            received_at=datetime.now(UTC),
        )
        with self.sink.lock:
            self.sink.messages.append(email)
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on ``host:port`` in a thread of its own; :attr:`messages` it took."""

    def __init__(
        self,
        port: int,
        host: str = "127.0.0.1",
        *,
        tls_context: ssl.SSLContext | None = None,
        require_starttls: bool = False,
        implicit_tls: bool = False,
        logins: dict[str, str] | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.lock = threading.Lock()
        self.messages: list[SinkEmail] = []
        self.refused: dict[str, str] = {}
        self.logins = dict(logins or {})
        options: dict[str, Any] = {}
        if tls_context is not None and not implicit_tls:
            options.update(tls_context=tls_context, require_starttls=require_starttls)
        if implicit_tls:
            options["ssl_context"] = tls_context
        if self.logins:
            options.update(authenticator=self._authenticate, auth_required=True)
            # aiosmtpd counts only STARTTLS as TLS for AUTH; implicit TLS is TLS from the start
            # (and aiosmtpd's warning about AUTH without TLS does not apply to it).
            options["auth_require_tls"] = not implicit_tls
            if implicit_tls:
                warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
        self._controller = Controller(_Handler(self), hostname=host, port=port, **options)

    def start(self) -> SmtpSink:
        """Listen (the server is ready when this returns)."""
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()

    def refuse(self, address: str, reply: str = "550 5.1.1 No such user") -> None:
        """Answer ``RCPT TO`` for ``address`` with ``reply``."""
        self.refused[address] = reply

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if self.logins.get(user) == password:
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)
