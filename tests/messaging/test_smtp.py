"""Email over SMTP against a real server (aiosmtpd on loopback): plain, STARTTLS and implicit
TLS with a self-signed certificate and a login, and each failure as its kind of error."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest

from devtools.message_sinks import SmtpSink
from loyalty.campaigns.providers import (
    CredentialsRefused,
    Email,
    MessageRefused,
    ProviderUnavailable,
    SetupRefused,
)
from loyalty.campaigns.providers.smtp import SmtpEmail, TlsMode
from tests.messaging.certs import Certificate, self_signed
from tests.support.config import free_port

PASSWORD = "smtp-password-never-logged"
MAIL = Email(
    to="kari@example.no",
    subject="Dobbel poeng i helgen, Kari",
    text="Hei Kari! Dobbel poeng på alt i helgen.",
    html="<p>Hei <b>Kari</b>! Dobbel poeng på alt i helgen.</p>",
    unsubscribe_url="https://klubb.test/l/abc123",
)


@pytest.fixture
def certificate(tmp_path) -> Certificate:
    return self_signed(tmp_path)


@pytest.fixture
def sink_factory() -> Iterator[object]:
    started: list[SmtpSink] = []

    def start(**options: object) -> SmtpSink:
        sink = SmtpSink(free_port(), **options).start()  # type: ignore[arg-type]
        started.append(sink)
        return sink

    yield start
    for sink in started:
        sink.stop()


def smtp(sink: SmtpSink, tls: TlsMode, **options: object) -> SmtpEmail:
    return SmtpEmail(
        host="127.0.0.1",
        port=sink.port,
        tls=tls,
        sender="klubb@butikken.no",
        sender_name="Butikken Klubb",
        timeout=5,
        **options,  # type: ignore[arg-type]
    )


def test_plain_smtp_delivers_text_html_and_the_unsubscribe_headers(sink_factory):
    sink = sink_factory()
    sent = smtp(sink, TlsMode.NONE).send_email(MAIL)

    [mail] = sink.messages
    assert (sent.provider, sent.status) == ("smtp", "sent")
    assert mail.message["Message-ID"] == sent.provider_message_id
    assert (mail.mail_from, mail.rcpt_tos) == ("klubb@butikken.no", ("kari@example.no",))
    assert mail.message["From"] == "Butikken Klubb <klubb@butikken.no>"
    assert mail.message["To"] == "kari@example.no"
    assert mail.subject == "Dobbel poeng i helgen, Kari"
    assert mail.message.get_content_type() == "multipart/alternative"
    assert mail.part("plain").strip() == MAIL.text
    assert mail.part("html").strip() == MAIL.html
    assert mail.message["List-Unsubscribe"] == "<https://klubb.test/l/abc123>"
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.message["Date"]


@pytest.mark.embedded
def test_starttls_then_login(sink_factory, certificate):
    sink = sink_factory(
        tls_context=certificate.server_context(), require_starttls=True, logins={"klubb": PASSWORD}
    )
    provider = smtp(
        sink,
        TlsMode.STARTTLS,
        user="klubb",
        password=PASSWORD,
        ssl_context=certificate.client_context(),
    )
    provider.send_email(MAIL)
    assert [m.subject for m in sink.messages] == [MAIL.subject]


def test_implicit_tls_then_login(sink_factory, certificate):
    sink = sink_factory(
        tls_context=certificate.server_context(), implicit_tls=True, logins={"klubb": PASSWORD}
    )
    provider = smtp(
        sink, TlsMode.TLS, user="klubb", password=PASSWORD, ssl_context=certificate.client_context()
    )
    provider.send_email(MAIL)
    assert len(sink.messages) == 1


def test_a_wrong_password_is_credentials_refused(sink_factory, certificate):
    sink = sink_factory(tls_context=certificate.server_context(), logins={"klubb": PASSWORD})
    provider = smtp(
        sink,
        TlsMode.STARTTLS,
        user="klubb",
        password="wrong",
        ssl_context=certificate.client_context(),
    )
    with pytest.raises(CredentialsRefused) as raised:
        provider.send_email(MAIL)
    assert raised.value.provider_code == "535"
    assert sink.messages == [] and "wrong" not in str(raised.value)


@pytest.mark.parametrize("tls", [TlsMode.STARTTLS, TlsMode.TLS])
def test_an_untrusted_certificate_is_refused_setup(sink_factory, certificate, tls):
    """The system's trust store does not know a self-signed certificate: nothing is sent."""
    sink = sink_factory(tls_context=certificate.server_context(), implicit_tls=tls is TlsMode.TLS)
    with pytest.raises(SetupRefused) as raised:
        smtp(sink, tls).send_email(MAIL)
    assert raised.value.provider_code == "tls"
    assert sink.messages == []


def test_starttls_asked_of_a_server_without_it_is_refused_setup(sink_factory):
    sink = sink_factory()
    with pytest.raises(SetupRefused) as raised:
        smtp(sink, TlsMode.STARTTLS).send_email(MAIL)
    assert raised.value.provider_code == "no_starttls"


def test_implicit_tls_to_a_plain_server_is_refused_setup(sink_factory):
    sink = sink_factory()
    with pytest.raises((SetupRefused, ProviderUnavailable)):
        smtp(sink, TlsMode.TLS, ssl_context=ssl.create_default_context()).send_email(MAIL)
    assert sink.messages == []


@pytest.mark.parametrize(
    ("reply", "error", "code"),
    [
        ("550 5.1.1 No such user", MessageRefused, "550"),
        ("451 4.3.0 Try again later", ProviderUnavailable, "451"),
    ],
)
def test_a_refused_recipient(sink_factory, reply, error, code):
    sink = sink_factory()
    sink.refuse(MAIL.to, reply)
    with pytest.raises(error) as raised:
        smtp(sink, TlsMode.NONE).send_email(MAIL)
    assert type(raised.value) is error and raised.value.provider_code == code


def test_no_server_listening_is_retryable():
    provider = SmtpEmail(
        host="127.0.0.1", port=free_port(), tls=TlsMode.NONE, sender="a@b.no", timeout=2
    )
    with pytest.raises(ProviderUnavailable) as raised:
        provider.send_email(MAIL)
    assert not raised.value.maybe_sent
