"""Email over SMTP to the merchant's own mail provider (any of them speaks it).

TLS is ``starttls`` (usually port 587: a plain connection upgraded before anything is sent),
``tls`` (implicit TLS, usually port 465) or ``none``, which :mod:`loyalty.campaigns.credentials`
accepts only for a server on this machine. Certificates are verified against the system's
trust store (or ``ssl_context``). With a user, the provider logs in after TLS. Each message is
``multipart/alternative``, plain text first and HTML when given, with ``From``, ``To``,
``Subject``, ``Date``, ``Message-ID`` and, when the message has an unsubscribe URL,
``List-Unsubscribe`` with RFC 8058's one-click ``List-Unsubscribe-Post``.

Failures map onto :mod:`.base`'s tree by the SMTP reply: a refused login is
:class:`CredentialsRefused`; a refused TLS handshake, a server without STARTTLS or AUTH, or a
refused sender address is :class:`SetupRefused`; a 5xx for the recipient or the data is
:class:`MessageRefused`; a 4xx, a timeout or a lost connection is :class:`ProviderUnavailable`
(``maybe_sent`` once the message's data was on its way).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from enum import StrEnum

from loyalty.campaigns.providers.base import (
    CredentialsRefused,
    Email,
    MessageRefused,
    ProviderError,
    ProviderUnavailable,
    Sent,
    SetupRefused,
)

NAME = "smtp"


class TlsMode(StrEnum):
    STARTTLS = "starttls"
    TLS = "tls"
    NONE = "none"


class SmtpEmail:
    """Sends email through one SMTP server."""

    name = NAME

    def __init__(
        self,
        *,
        host: str,
        port: int,
        tls: TlsMode,
        sender: str,
        sender_name: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._host, self._port, self._tls = host, port, TlsMode(tls)
        self._sender, self._sender_name = sender, sender_name
        self._user, self._password = user, password
        self._timeout = timeout
        self._context = ssl_context or ssl.create_default_context()

    def compose(self, message: Email) -> EmailMessage:
        """The message as it goes on the wire (the headers above, text and HTML parts)."""
        mail = EmailMessage()
        mail["From"] = (
            formataddr((self._sender_name, self._sender)) if self._sender_name else self._sender
        )
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = make_msgid(domain=self._sender.rpartition("@")[2] or None)
        if message.unsubscribe_url:
            mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        for name, value in message.headers.items():
            mail[name] = value
        mail.set_content(message.text)
        if message.html is not None:
            mail.add_alternative(message.html, subtype="html")
        return mail

    def send_email(self, message: Email) -> Sent:
        """Relay the message to the server; its ``Message-ID``, status ``sent``."""
        mail = self.compose(message)
        connection = self._connect()
        try:
            self._secure_and_log_in(connection)
            _deliver(connection, mail, self._sender, message.to)
        finally:
            _close(connection)
        return Sent(NAME, str(mail["Message-ID"]), "sent")

    def _connect(self) -> smtplib.SMTP:
        try:
            if self._tls is TlsMode.TLS:
                return smtplib.SMTP_SSL(
                    self._host, self._port, timeout=self._timeout, context=self._context
                )
            return smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        except Exception as err:
            raise _setup_failure(err) from None

    def _secure_and_log_in(self, connection: smtplib.SMTP) -> None:
        try:
            if self._tls is TlsMode.STARTTLS:
                try:
                    connection.starttls(context=self._context)
                except smtplib.SMTPNotSupportedError:
                    raise SetupRefused(
                        "the mail server does not offer STARTTLS", "no_starttls"
                    ) from None
            if self._user:
                try:
                    connection.login(self._user, self._password or "")
                except smtplib.SMTPNotSupportedError:
                    raise SetupRefused("the mail server does not offer AUTH", "no_auth") from None
                except smtplib.SMTPAuthenticationError as err:
                    raise CredentialsRefused(
                        "the mail server refused the login", str(err.smtp_code)
                    ) from None
        except ProviderError:
            raise
        except Exception as err:
            raise _setup_failure(err) from None


def _deliver(connection: smtplib.SMTP, mail: EmailMessage, sender: str, to: str) -> None:
    """MAIL, RCPT and DATA; a failure once the data is on its way may have delivered it."""
    try:
        connection.send_message(mail, from_addr=sender, to_addrs=[to])
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as err:
        raise _refused(err) from None
    except smtplib.SMTPResponseException as err:
        raise _by_reply(err, data=True) from None
    except (OSError, smtplib.SMTPException) as err:
        lost = _unavailable(err)
        lost.maybe_sent = True
        raise lost from None


def _close(connection: smtplib.SMTP) -> None:
    """QUIT, or just close: the message's fate was settled by DATA's reply."""
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()


def _setup_failure(err: Exception) -> ProviderError:
    """A failure before any message was on its way (connecting, TLS, logging in)."""
    if isinstance(err, ssl.SSLError):
        return SetupRefused(f"the TLS handshake failed: {type(err).__name__}", "tls")
    if isinstance(err, smtplib.SMTPResponseException):
        return _by_reply(err)
    if isinstance(err, OSError | smtplib.SMTPException):
        return _unavailable(err)
    raise err


def _unavailable(err: BaseException) -> ProviderUnavailable:
    return ProviderUnavailable(f"the mail server failed: {type(err).__name__}")


def _by_reply(err: smtplib.SMTPResponseException, *, data: bool = False) -> ProviderError:
    """A reply code's meaning: 4xx try again later, 5xx refused (the data's: this message)."""
    code = str(err.smtp_code)
    if 400 <= err.smtp_code < 500:
        return ProviderUnavailable(f"the mail server answered {code}", code)
    if data:
        return MessageRefused(f"the mail server refused the message ({code})", code)
    return SetupRefused(f"the mail server refused the connection ({code})", code)


def _refused(err: smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused) -> ProviderError:
    """The recipient refused is this message's problem; the sender refused, the setup's."""
    if isinstance(err, smtplib.SMTPSenderRefused):
        code = err.smtp_code
        if 400 <= code < 500:
            return ProviderUnavailable(f"the mail server answered {code}", str(code))
        return SetupRefused(f"the mail server refused the sender ({code})", str(code))
    codes = [code for code, _text in err.recipients.values()]
    code = codes[0] if codes else 550
    if 400 <= code < 500:
        return ProviderUnavailable(f"the mail server answered {code}", str(code))
    return MessageRefused(f"the mail server refused the recipient ({code})", str(code))
