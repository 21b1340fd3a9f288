"""Twilio's Messages API as Klubb calls it (the exact request, with ``responses``), how each
answer maps onto the provider errors, and Twilio's request signature."""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl

import pytest
import requests
import responses

from loyalty.campaigns.providers import (
    CredentialsRefused,
    MessageRefused,
    ProviderUnavailable,
    RecipientOptedOut,
    SetupRefused,
    SmsMessage,
)
from loyalty.campaigns.providers.twilio import (
    TwilioSms,
    twilio_signature,
    valid_twilio_signature,
)

BASE = "https://twilio.test"
SID = "AC" + "0123456789abcdef" * 2
TOKEN = "auth-token-never-logged"
URL = f"{BASE}/2010-04-01/Accounts/{SID}/Messages.json"
CALLBACK = "https://klubb.test/hooks/twilio/s3cret/status/17"
MESSAGE = SmsMessage("+4791234567", "Hei Kari! 20 % i dag.", "17", CALLBACK)


def twilio(sender: str = "Klubb") -> TwilioSms:
    return TwilioSms(api_base=BASE, account_sid=SID, auth_token=TOKEN, sender=sender, timeout=2)


def error_body(code: int, status: int) -> dict[str, object]:
    return {
        "code": code,
        "message": "…",
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


@responses.activate
def test_a_message_is_one_form_encoded_post_with_basic_auth():
    responses.post(URL, status=201, json={"sid": "SM" + "f" * 32, "status": "queued"})
    sent = twilio().send_sms(MESSAGE)

    assert (sent.provider, sent.provider_message_id, sent.status) == (
        "twilio",
        "SM" + "f" * 32,
        "queued",
    )
    [call] = responses.calls
    assert call.request.url == URL and call.request.method == "POST"
    assert call.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    basic = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert call.request.headers["Authorization"] == f"Basic {basic}"
    assert dict(parse_qsl(call.request.body)) == {
        "To": "+4791234567",
        "From": "Klubb",
        "Body": "Hei Kari! 20 % i dag.",
        "StatusCallback": CALLBACK,
    }


@responses.activate
def test_a_messaging_service_sender_goes_as_messaging_service_sid():
    service = "MG" + "a" * 32
    responses.post(URL, status=201, json={"sid": "SM1", "status": "accepted"})
    assert twilio(service).send_sms(SmsMessage("+4791234567", "x")).status == "queued"
    form = dict(parse_qsl(responses.calls[0].request.body))
    assert form == {"To": "+4791234567", "MessagingServiceSid": service, "Body": "x"}


@pytest.mark.parametrize(
    ("status", "body", "error", "code"),
    [
        (400, error_body(21610, 400), RecipientOptedOut, "21610"),
        (401, error_body(20003, 401), CredentialsRefused, "401"),
        (403, error_body(20005, 403), SetupRefused, "403"),
        (400, error_body(21606, 400), SetupRefused, "21606"),
        (400, error_body(21211, 400), MessageRefused, "21211"),
        (429, error_body(20429, 429), ProviderUnavailable, "429"),
        (500, error_body(20500, 500), ProviderUnavailable, "500"),
        (503, None, ProviderUnavailable, "503"),
    ],
)
@responses.activate
def test_each_refusal_is_its_kind_of_error(status, body, error, code):
    responses.post(URL, status=status, json=body)
    with pytest.raises(error) as raised:
        twilio().send_sms(MESSAGE)
    assert type(raised.value) is error
    assert raised.value.provider_code == code
    assert TOKEN not in str(raised.value) and MESSAGE.to not in str(raised.value)


@responses.activate
def test_opted_out_is_a_refusal_of_the_message_not_of_the_setup():
    responses.post(URL, status=400, json=error_body(21610, 400))
    with pytest.raises(MessageRefused):
        twilio().send_sms(MESSAGE)


@responses.activate
def test_429_carries_retry_after():
    responses.post(URL, status=429, json=error_body(20429, 429), headers={"Retry-After": "7"})
    with pytest.raises(ProviderUnavailable) as raised:
        twilio().send_sms(MESSAGE)
    assert raised.value.retry_after == 7 and not raised.value.maybe_sent


@pytest.mark.parametrize(
    ("failure", "maybe_sent"),
    [
        (requests.ConnectTimeout("connect"), False),
        (requests.ReadTimeout("read"), True),
        (requests.ConnectionError("Connection aborted."), True),
    ],
)
@responses.activate
def test_timeouts_and_broken_connections_are_retryable(failure, maybe_sent):
    responses.post(URL, body=failure)
    with pytest.raises(ProviderUnavailable) as raised:
        twilio().send_sms(MESSAGE)
    assert raised.value.maybe_sent is maybe_sent


def test_a_connection_refused_cannot_have_sent_anything():
    provider = TwilioSms(
        api_base="http://127.0.0.1:9", account_sid=SID, auth_token=TOKEN, sender="K", timeout=2
    )
    with pytest.raises(ProviderUnavailable) as raised:
        provider.send_sms(MESSAGE)
    assert raised.value.maybe_sent is False


def test_the_signature_matches_twilios_documented_example():
    """The example of Twilio's security page: URL, the POST parameters and token 12345."""
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature(url, params.items(), "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert valid_twilio_signature(url, params.items(), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "12345")


@pytest.mark.parametrize(
    "signature",
    [None, "", "0/KCTR6DLpKmkAf8muzZqo1nDgQ", "1/KCTR6DLpKmkAf8muzZqo1nDgQ=", "\ud800", "ø" * 28],
)
def test_any_other_signature_is_refused(signature):
    params = [("To", "+18005551212")]
    assert not valid_twilio_signature("https://mycompany.com/x", params, signature, "12345")


def test_the_signature_covers_the_url_and_every_parameter():
    params = [("MessageSid", "SM1"), ("MessageStatus", "delivered")]
    good = twilio_signature("https://a.test/hooks/x", params, TOKEN)
    assert good != twilio_signature("https://b.test/hooks/x", params, TOKEN)
    assert good != twilio_signature(
        "https://a.test/hooks/x", [*params[:1], ("MessageStatus", "failed")], TOKEN
    )
    assert good != twilio_signature("https://a.test/hooks/x", params, "another token")
    # Order in the body does not matter: Twilio sorts by name.
    assert good == twilio_signature("https://a.test/hooks/x", params[::-1], TOKEN)
