"""A test message through the real entry points: ``POST /api/messaging/sms/test`` hands it to
the fake Twilio (the dev sink's), whose status callbacks come back through
``/hooks/twilio/…`` signed as Twilio signs them; a forged one is refused and changes nothing.
Sveve's delivery report, the SMTP sink, and a STOP (Twilio's 21610) that withdraws a member's
SMS consent in Klubb and then in Shopify."""

from __future__ import annotations

import logging

import pytest
import requests
import responses
from sqlalchemy import select

from loyalty.campaigns import sending
from loyalty.core.logs import ScrubFilter
from loyalty.core.models import AuditLog, ConsentEvent, Member
from tests.messaging.api import (
    SECRETS,
    sent_messages,
    smtp_body,
    stored_settings,
    sveve_body,
    twilio_body,
)
from tests.support.config import UNREACHABLE
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.members import install_on_fake_shopify
from tests.support.people import INGEBORG
from tests.support.shops import SHOP, SHOP_A


@pytest.fixture
def twilio_shop(client, sinks, shop_a) -> str:
    """Shop A with the fake Twilio's account as its SMS provider; the account's SID."""
    sid, token = sinks.twilio.add_account()
    answer = client.put(
        "/api/messaging/sms", json=twilio_body(sid=sid, token=token), headers=bearer(SHOP_A)
    )
    assert answer.status_code == 200, answer.get_json()
    return sid


def send_test(client, to: str = "912 34 567", shop: str = SHOP_A):
    return client.post("/api/messaging/sms/test", json={"to": to}, headers=bearer(shop))


def message_json(client, message_id: str, shop: str = SHOP_A) -> dict:
    answer = client.get(f"/api/messaging/messages/{message_id}", headers=bearer(shop))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


@pytest.mark.embedded
def test_a_test_sms_reaches_twilio_and_its_delivery_comes_back_through_the_hook(
    client, config, live_app, sinks, twilio_shop
):
    sent = send_test(client)

    assert sent.status_code == 201, sent.get_json()
    message = sent.get_json()
    assert (message["channel"], message["provider"], message["status"]) == (
        "sms",
        "twilio",
        "queued",
    )
    [sms] = sinks.twilio.messages
    assert (sms.account_sid, sms.to, sms.sender) == (twilio_shop, "+4791234567", "Butikken")
    assert "Alpha" in sms.body  # the shop's name, in the admin's language (English here)
    assert sms.status_callback.startswith(f"{config.app_url}/hooks/twilio/")
    assert sms.status_callback.endswith(f"/status/{message['id']}")

    assert sinks.twilio.report(sms.sid, "sent").status_code == 204
    assert message_json(client, message["id"])["status"] == "sent"
    assert sinks.twilio.report(sms.sid, "delivered").status_code == 204
    assert sinks.twilio.report(sms.sid, "sent").status_code == 204  # late, out of order
    delivered = message_json(client, message["id"])
    assert (delivered["status"], delivered["error_code"]) == ("delivered", None)
    page = requests.get(f"{sinks.url}/sms", timeout=5).text
    assert "+4791234567" in page and "delivered" in page


@pytest.mark.embedded
def test_a_forged_callback_is_refused_and_leaves_nothing_but_a_log_line(
    client, rt, live_app, sinks, twilio_shop, caplog
):
    message_id = send_test(client).get_json()["id"]
    [sms] = sinks.twilio.messages
    with rt.sessions() as s:
        audit_before = s.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1))
    before = sent_messages(rt, rt_shop_id(rt))
    caplog.set_level(logging.INFO)

    forged = sinks.twilio.report(sms.sid, "failed", "30003", token="not-the-auth-token")
    unsigned = requests.post(
        sms.status_callback, data={"MessageSid": sms.sid, "MessageStatus": "failed"}, timeout=5
    )
    unknown = requests.post(
        sms.status_callback.replace("/hooks/twilio/", "/hooks/twilio/x"), timeout=5
    )

    assert (forged.status_code, unsigned.status_code, unknown.status_code) == (403, 403, 404)
    assert message_json(client, message_id)["status"] == "queued"
    assert [(m.status, m.updated_at) for m in sent_messages(rt, rt_shop_id(rt))] == [
        (m.status, m.updated_at) for m in before
    ]
    with rt.sessions() as s:
        assert s.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1)) == audit_before
    refusals = [r for r in caplog.records if "callback refused" in r.getMessage()]
    assert len(refusals) == 3
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    secret = sms.status_callback.split("/hooks/twilio/")[1].split("/")[0]
    assert secret not in logged_text(caplog.records)


def logged_text(records: list[logging.LogRecord]) -> str:
    """The records as the app's log handler writes them: through its ScrubFilter (the test's
    own server logs each request line, path and secret included, as gunicorn's access log
    would before the same filter)."""
    scrub = ScrubFilter()
    return "\n".join(r.getMessage() for r in records if scrub.filter(r))


def rt_shop_id(rt) -> int:
    from loyalty.core.models import Shop

    with rt.sessions() as s:
        return s.scalar(select(Shop.id).where(Shop.domain == SHOP_A))


def test_a_number_that_replied_stop_is_refused_as_opted_out(client, rt, sinks, twilio_shop):
    sinks.twilio.opt_out("+4791234567")
    answer = send_test(client)

    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "recipient_opted_out"
    assert set(answer.get_json()["error"]["fields"]) == {"to"}
    [logged] = sent_messages(rt, rt_shop_id(rt))
    assert (logged.status, logged.error_code) == ("failed", "21610")


def test_credentials_twilio_refuses_are_a_clear_409_not_a_retry(client, rt, sinks, shop_a):
    sinks.twilio.add_account()
    client.put(
        "/api/messaging/sms", json=twilio_body(), headers=bearer(SHOP_A)
    )  # unknown to Twilio
    answer = send_test(client)

    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "credentials_refused"
    [logged] = sent_messages(rt, shop_a)
    assert (logged.status, logged.error_code) == ("failed", "401")


def test_twilio_unavailable_is_503_with_retry_after(client, sinks, twilio_shop):
    sinks.twilio.fail_next(503)
    answer = send_test(client)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"
    assert answer.get_json()["error"]["code"] == "provider_unavailable"


def test_nothing_set_up_is_409(client, shop_a):
    answer = send_test(client)
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "not_configured"
    email = client.post(
        "/api/messaging/email/test", json={"to": "kari@example.no"}, headers=bearer(SHOP_A)
    )
    assert email.status_code == 409


@pytest.mark.parametrize("to", ["123", "070 123 45 67", "+47 0123 4567", 4791234567])
def test_a_number_that_is_no_number_is_422_naming_to(client, twilio_shop, sinks, to):
    answer = send_test(client, to)
    assert answer.status_code == 422 and set(answer.get_json()["error"]["fields"]) == {"to"}
    assert sinks.twilio.messages == []


def message_ingeborg(client, rt, config, sinks, shop_id: int, member_id: int) -> sending.Outcome:
    """The test shop on the fake Twilio, then an SMS to Ingeborg as a campaign will send it
    (through the domain: campaigns are the next item)."""
    sid, token = sinks.twilio.add_account()
    client.put("/api/messaging/sms", json=twilio_body(sid=sid, token=token), headers=bearer(SHOP))
    return sending.send_sms(
        rt.sessions,
        rt.token_cipher,
        config,
        shop_id,
        to=INGEBORG.phone,
        text="Hei!",
        member_id=member_id,
    )


@pytest.mark.embedded
def test_a_stop_reported_by_twilio_withdraws_the_members_sms_consent_in_klubb_and_shopify(
    app, client, rt, config, live_app, sinks, shop, ingeborg, fake_shopify
):
    """Twilio reports a campaign message failed with 21610: the recipient replied STOP."""
    fake_shop = install_on_fake_shopify(rt, fake_shopify, config)
    outcome = message_ingeborg(client, rt, config, sinks, shop.id, ingeborg.member_id)
    assert outcome.error is None
    [sms] = sinks.twilio.messages

    assert sinks.twilio.report(sms.sid, "failed", "21610").status_code == 204
    assert sinks.twilio.report(sms.sid, "failed", "21610").status_code == 204  # again: nothing new

    with rt.sessions() as s:
        member = s.get(Member, ingeborg.member_id)
        events = s.scalars(
            select(ConsentEvent).where(
                ConsentEvent.member_id == member.id, ConsentEvent.source == "sms_stop"
            )
        ).all()
    assert member.sms_consent is False and member.email_consent is True
    assert [(e.channel, e.granted) for e in events] == [("sms", False)]
    assert events[0].push_pending_since is not None
    assert drain(app, ["shopify"]) == 1
    assert fake_shop.customer(INGEBORG.customer_id).sms_consent.state == "UNSUBSCRIBED"
    [logged] = [m for m in sent_messages(rt, shop.id) if m.provider_message_id == sms.sid]
    assert (logged.status, logged.error_code) == ("failed", "21610")


def test_an_opted_out_member_loses_sms_consent_at_the_send_too(
    client, rt, config, sinks, shop, ingeborg
):
    sinks.twilio.opt_out(INGEBORG.phone)
    outcome = message_ingeborg(client, rt, config, sinks, shop.id, ingeborg.member_id)
    assert outcome.error is not None and outcome.error.code == "recipient_opted_out"
    assert outcome.consent_event_id is not None
    with rt.sessions() as s:
        assert s.get(Member, ingeborg.member_id).sms_consent is False


@responses.activate
def test_a_sveve_message_and_its_delivery_report(client, rt, shop_a):
    responses.post(
        f"{UNREACHABLE}/SMS/SendMessage",
        json={"response": {"msgOkCount": 1, "stdSMSCount": 1, "ids": [9001]}},
    )
    client.put("/api/messaging/sms", json=sveve_body(), headers=bearer(SHOP_A))
    sent = send_test(client)
    assert sent.status_code == 201, sent.get_json()
    message_id = sent.get_json()["id"]
    assert (
        responses.calls[0].request.body
        and f'"ref": "{message_id}"' in responses.calls[0].request.body.decode()
    )

    report_url = client.get("/api/messaging", headers=bearer(SHOP_A)).get_json()["sms"][
        "delivery_report_url"
    ]
    path = report_url.removeprefix(rt.config.app_url)
    query = {
        "number": "4791234567",
        "status": "false",
        "id": "9001",
        "ref": message_id,
        "errorCode": "3",
        "errorDesc": "Ugyldig",
    }
    answer = client.get(path, query_string=query)

    assert (answer.status_code, answer.get_data(as_text=True)) == (200, "OK")
    reported = message_json(client, message_id)
    assert (reported["status"], reported["error_code"]) == ("undelivered", "3")
    assert client.get(path.replace("/sveve/", "/sveve/x"), query_string=query).status_code == 404
    bad = client.post(path, data={**query, "status": "maybe"})
    assert bad.status_code == 422


@pytest.mark.embedded
def test_a_test_email_reaches_the_mail_server(client, sinks, shop_a):
    body = smtp_body(host="127.0.0.1", port=sinks.smtp_port, tls="none", user=None, password=None)
    assert client.put("/api/messaging/email", json=body, headers=bearer(SHOP_A)).status_code == 200
    sent = client.post(
        "/api/messaging/email/test",
        json={"to": "kari@example.no"},
        headers=bearer(SHOP_A, locale=None) | {"Accept-Language": "nb"},
    )

    assert sent.status_code == 201, sent.get_json()
    assert message_json(client, sent.get_json()["id"])["status"] == "sent"
    [mail] = sinks.smtp.messages
    assert (
        mail.rcpt_tos == ("kari@example.no",)
        and mail.message["From"] == "Butikken Klubb <klubb@butikken.no>"
    )
    assert mail.part("plain") and mail.part("html")
    assert "Alpha" in mail.subject


def test_no_secret_reaches_a_log_line_or_an_answer_end_to_end(
    client, rt, live_app, sinks, shop_a, caplog
):
    caplog.set_level(logging.DEBUG)
    sid, token = sinks.twilio.add_account()
    client.put("/api/messaging/sms", json=twilio_body(sid=sid, token=token), headers=bearer(SHOP_A))
    answers = [send_test(client), send_test(client, "+46 70 123 45 67")]
    sinks.twilio.report(sinks.twilio.messages[0].sid, "delivered")
    sinks.twilio.report(sinks.twilio.messages[0].sid, "failed", token="forged")
    text = "".join(a.get_data(as_text=True) for a in answers)
    for secret in (token, *SECRETS):
        assert secret not in caplog.text and secret not in text
    hook_secret = rt.token_cipher.decrypt(stored_settings(rt, shop_a, "sms").hook_secret_encrypted)
    assert hook_secret not in logged_text(caplog.records)
