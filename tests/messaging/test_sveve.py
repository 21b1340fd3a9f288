"""Sveve's SendMessage as Klubb calls it (the exact request, with ``responses``) and how each
answer maps onto the provider errors."""

from __future__ import annotations

import json

import pytest
import requests
import responses

from loyalty.campaigns.providers import (
    CredentialsRefused,
    MessageRefused,
    ProviderUnavailable,
    SetupRefused,
    SmsMessage,
)
from loyalty.campaigns.providers.sveve import SveveSms, sveve_number

BASE = "https://sveve.test"
URL = f"{BASE}/SMS/SendMessage"
PASSWORD = "sveve-password-never-logged"


def sveve() -> SveveSms:
    return SveveSms(api_base=BASE, user="butikken", password=PASSWORD, sender="Butikken", timeout=2)


@responses.activate
def test_a_message_is_one_json_post_with_the_login_in_the_body():
    responses.post(URL, json={"response": {"msgOkCount": 1, "stdSMSCount": 1, "ids": [42824112]}})
    sent = sveve().send_sms(SmsMessage("+4791234567", "Hei Åse! 20 % i dag.", reference="31"))

    assert (sent.provider, sent.provider_message_id, sent.status) == ("sveve", "42824112", "queued")
    [call] = responses.calls
    assert call.request.url == URL and call.request.method == "POST"
    assert "passwd" not in call.request.url and "Authorization" not in call.request.headers
    assert json.loads(call.request.body) == {
        "user": "butikken",
        "passwd": PASSWORD,
        "to": "91234567",
        "msg": "Hei Åse! 20 % i dag.",
        "from": "Butikken",
        "ref": "31",
        "f": "json",
    }


def test_numbers_as_sveve_takes_them():
    assert sveve_number("+4791234567") == "91234567"
    assert sveve_number("+46701234567") == "0046701234567"


@pytest.mark.parametrize(
    ("status", "body", "error", "code"),
    [
        (200, {"response": {"fatalError": "Feil brukernavn/passord"}}, CredentialsRefused, "login"),
        (200, {"response": {"fatalError": "Ikke nok SMS igjen"}}, SetupRefused, "fatal"),
        (
            200,
            {
                "response": {
                    "msgOkCount": 0,
                    "stdSMSCount": 0,
                    "ids": [],
                    "errors": [{"number": "9", "message": "Ugyldig"}],
                }
            },
            MessageRefused,
            "refused",
        ),
        (401, {}, CredentialsRefused, "401"),
        (429, {}, ProviderUnavailable, "429"),
        (502, {}, ProviderUnavailable, "502"),
    ],
)
@responses.activate
def test_each_refusal_is_its_kind_of_error(status, body, error, code):
    responses.post(URL, status=status, json=body)
    with pytest.raises(error) as raised:
        sveve().send_sms(SmsMessage("+4791234567", "x"))
    assert type(raised.value) is error and raised.value.provider_code == code
    assert PASSWORD not in str(raised.value)


@responses.activate
def test_a_sent_message_without_an_id_is_sent_all_the_same():
    responses.post(URL, json={"response": {"msgOkCount": 1, "stdSMSCount": 1}})
    sent = sveve().send_sms(SmsMessage("+4791234567", "x", reference="5"))
    assert (sent.provider_message_id, sent.status) == (None, "queued")


@responses.activate
def test_an_answer_that_is_not_sveves_json_may_have_sent_it():
    responses.post(URL, body="<html>proxy</html>", status=200)
    with pytest.raises(ProviderUnavailable) as raised:
        sveve().send_sms(SmsMessage("+4791234567", "x"))
    assert raised.value.maybe_sent


@responses.activate
def test_a_timeout_is_retryable():
    responses.post(URL, body=requests.ReadTimeout("slow"))
    with pytest.raises(ProviderUnavailable):
        sveve().send_sms(SmsMessage("+4791234567", "x"))
