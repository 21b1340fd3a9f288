"""``/api/messaging``: a shop's SMS provider and mail server, stored encrypted, shown without
a secret, refused field by field, and never another shop's."""

from __future__ import annotations

import json
import logging

import pytest

from loyalty.core.models import AuditLog
from loyalty.shopify.tokens import TokenCipher
from tests.messaging.api import (
    SECRETS,
    SMTP_PASSWORD,
    TWILIO_SID,
    TWILIO_TOKEN,
    smtp_body,
    stored_settings,
    sveve_body,
    twilio_body,
)
from tests.support.http import bearer
from tests.support.shops import SHOP_A, SHOP_B


def test_nothing_is_set_up_at_first(client, shop_a):
    answer = client.get("/api/messaging", headers=bearer(SHOP_A))
    assert answer.status_code == 200
    assert answer.get_json() == {"sms": None, "email": None}
    assert answer.headers["Cache-Control"] == "private, no-store"


@pytest.mark.embedded
def test_twilio_settings_are_stored_encrypted_and_shown_without_the_token(
    client, rt, config, shop_a
):
    saved = client.put(
        "/api/messaging/sms", json=twilio_body(sender="+47 912 34 567"), headers=bearer(SHOP_A)
    )

    assert saved.status_code == 200, saved.get_json()
    shown = client.get("/api/messaging", headers=bearer(SHOP_A)).get_json()["sms"]
    assert shown == saved.get_json()
    assert {k: shown[k] for k in ("provider", "account_sid", "sender", "secret_stored")} == {
        "provider": "twilio",
        "account_sid": TWILIO_SID,
        "sender": "+4791234567",
        "secret_stored": True,
    }
    row = stored_settings(rt, shop_a, "sms")
    assert TWILIO_TOKEN.encode() not in row.secrets_encrypted
    assert TWILIO_TOKEN not in json.dumps(row.settings)
    assert json.loads(TokenCipher.from_config(config).decrypt(row.secrets_encrypted)) == {
        "auth_token": TWILIO_TOKEN
    }
    with rt.sessions() as s:
        assert [(a.action, a.detail, a.actor_id) for a in s.query(AuditLog)] == [
            ("messaging.update", "sms", "42")
        ]


def test_sveve_settings_show_the_delivery_report_url_to_give_sveve(client, rt, config, shop_a):
    saved = client.put(
        "/api/messaging/sms", json=sveve_body(sender="91234567"), headers=bearer(SHOP_A)
    )

    assert saved.status_code == 200, saved.get_json()
    shown = saved.get_json()
    assert (shown["provider"], shown["user"], shown["sender"]) == (
        "sveve",
        "butikken",
        "4791234567",
    )
    assert shown["delivery_report_url"].startswith(f"{config.app_url}/hooks/sveve/")
    assert shown["delivery_report_url"].endswith("/dlr")
    assert "password" not in shown


def test_smtp_settings(client, shop_a):
    saved = client.put("/api/messaging/email", json=smtp_body(), headers=bearer(SHOP_A))

    assert saved.status_code == 200, saved.get_json()
    shown = client.get("/api/messaging", headers=bearer(SHOP_A)).get_json()["email"]
    assert {k: v for k, v in shown.items() if k != "updated_at"} == {
        **smtp_body(password=None),
        "provider": "smtp",
        "secret_stored": True,
    }
    assert "password" not in shown


def test_a_secret_left_out_keeps_the_stored_one_for_the_same_account(client, rt, config, shop_a):
    client.put("/api/messaging/sms", json=twilio_body(), headers=bearer(SHOP_A))
    changed = client.put(
        "/api/messaging/sms",
        json=twilio_body(token=None, sender="Nytt navn"),
        headers=bearer(SHOP_A),
    )

    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["sender"] == "Nytt navn"
    row = stored_settings(rt, shop_a, "sms")
    assert (
        json.loads(TokenCipher.from_config(config).decrypt(row.secrets_encrypted))["auth_token"]
        == TWILIO_TOKEN
    )
    other_account = twilio_body(sid="AC" + "6" * 32, token=None)
    refused = client.put("/api/messaging/sms", json=other_account, headers=bearer(SHOP_A))
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"auth_token": "Required."}


def test_the_callback_secret_stays_when_the_provider_changes(client, rt, shop_a):
    client.put("/api/messaging/sms", json=twilio_body(), headers=bearer(SHOP_A))
    digest = stored_settings(rt, shop_a, "sms").hook_secret_digest
    client.put("/api/messaging/sms", json=sveve_body(), headers=bearer(SHOP_A))
    assert stored_settings(rt, shop_a, "sms").hook_secret_digest == digest


@pytest.mark.parametrize(
    ("path", "body", "fields"),
    [
        ("/api/messaging/sms", {"provider": "linkmobility"}, {"provider"}),
        ("/api/messaging/sms", {"account_sid": TWILIO_SID}, {"provider"}),
        ("/api/messaging/sms", twilio_body(sender="Butikken1234"), {"sender"}),
        ("/api/messaging/sms", twilio_body(sender="Butikk-en"), {"sender"}),
        ("/api/messaging/sms", twilio_body(sender="12345"), {"sender"}),
        ("/api/messaging/sms", twilio_body(sid="AC123"), {"account_sid"}),
        ("/api/messaging/sms", twilio_body(token=None), {"auth_token"}),
        ("/api/messaging/sms", twilio_body(auth_token="tøken"), {"auth_token"}),
        ("/api/messaging/sms", twilio_body(extra=1), {"extra"}),
        ("/api/messaging/sms", sveve_body(sender="+46 70 123 45 67 8"), {"sender"}),
        (
            "/api/messaging/sms",
            {"provider": "sveve", "password": 5},
            {"user", "password", "sender"},
        ),
        ("/api/messaging/email", smtp_body(port=0), {"port"}),
        ("/api/messaging/email", smtp_body(port="587x"), {"port"}),
        ("/api/messaging/email", smtp_body(port=True), {"port"}),
        ("/api/messaging/email", smtp_body(host="smtp example.com"), {"host"}),
        ("/api/messaging/email", smtp_body(tls="ssl"), {"tls"}),
        ("/api/messaging/email", smtp_body(tls="none"), {"tls"}),
        ("/api/messaging/email", smtp_body(**{"from": "klubb"}), {"from"}),
        ("/api/messaging/email", smtp_body(from_name="Klubb\r\nBcc: x@y.no"), {"from_name"}),
        ("/api/messaging/email", smtp_body(user=None), {"user"}),
        ("/api/messaging/email", smtp_body(password=None), {"password"}),
        ("/api/messaging/email", {}, {"host", "port", "tls", "from"}),
    ],
)
def test_bad_input_is_422_naming_each_field_and_nothing_is_stored(
    client, rt, shop_a, path, body, fields
):
    answer = client.put(path, json=body, headers=bearer(SHOP_A))

    assert answer.status_code == 422, answer.get_json()
    assert set(answer.get_json()["error"]["fields"]) == fields
    assert stored_settings(rt, shop_a, path.rsplit("/", 1)[1]) is None


def test_without_tls_only_a_mail_server_on_this_machine(client, shop_a):
    local = smtp_body(host="127.0.0.1", port=2525, tls="none", user=None, password=None)
    assert client.put("/api/messaging/email", json=local, headers=bearer(SHOP_A)).status_code == 200


def test_a_shop_never_sees_another_shops_settings(client, shop_a, shop_b):
    client.put("/api/messaging/sms", json=twilio_body(), headers=bearer(SHOP_A))
    assert client.get("/api/messaging", headers=bearer(SHOP_B)).get_json() == {
        "sms": None,
        "email": None,
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/messaging"),
        ("PUT", "/api/messaging/sms"),
        ("PUT", "/api/messaging/email"),
        ("POST", "/api/messaging/sms/test"),
        ("POST", "/api/messaging/email/test"),
        ("GET", "/api/messaging/messages/1"),
    ],
)
def test_every_call_needs_a_session_token(client, shop_a, method, path):
    assert client.open(path, method=method, json={}).status_code == 401


@pytest.mark.embedded
def test_no_secret_is_ever_in_an_answer_or_a_log_line(client, shop_a, caplog):
    caplog.set_level(logging.DEBUG)
    answers = [
        client.put("/api/messaging/sms", json=twilio_body(), headers=bearer(SHOP_A)),
        client.put("/api/messaging/sms", json=sveve_body(), headers=bearer(SHOP_A)),
        client.put("/api/messaging/email", json=smtp_body(), headers=bearer(SHOP_A)),
        client.put("/api/messaging/email", json=smtp_body(port=0), headers=bearer(SHOP_A)),
        client.get("/api/messaging", headers=bearer(SHOP_A)),
        client.post(
            "/api/messaging/email/test", json={"to": "kari@example.no"}, headers=bearer(SHOP_A)
        ),
    ]
    text = "\n".join(a.get_data(as_text=True) for a in answers)
    assert all(a.status_code in (200, 422, 503) for a in answers), [a.status_code for a in answers]
    for secret in SECRETS:
        assert secret not in text and secret not in caplog.text
    assert SMTP_PASSWORD not in repr([r.__dict__ for r in caplog.records])


def test_refusals_are_in_the_admins_language(client, shop_a):
    bad = {**smtp_body(port=70000, from_name="\t"), "host": "smtp example.com"}
    answer = client.put("/api/messaging/email?locale=nb", json=bad, headers=bearer(SHOP_A))
    assert answer.get_json()["error"]["fields"] == {
        "port": "Skriv inn en port fra 1 til 65\u00a0535 (587 for STARTTLS, 465 for TLS).",
        "host": "Skriv inn e-postserverens vertsnavn, for eksempel smtp.example.com.",
        "from_name": "Fjern kontrolltegn og usynlige tegn.",
    }
    test = client.post(
        "/api/messaging/sms/test?locale=nb", json={"to": "070 123 45 67"}, headers=bearer(SHOP_A)
    )
    assert test.get_json()["error"]["fields"] == {
        "to": "Skriv landkoden (+46 …) foran et nummer som ikke er norsk."
    }


@pytest.mark.embedded
def test_a_key_rotation_re_encrypts_the_messaging_secrets(client, rt, config, shop_a):
    from cryptography.fernet import Fernet

    from loyalty.campaigns.credentials import rotate_messaging_secrets

    client.put("/api/messaging/sms", json=twilio_body(), headers=bearer(SHOP_A))
    client.put("/api/messaging/email", json=smtp_body(), headers=bearer(SHOP_A))
    newest = Fernet.generate_key().decode()
    assert (
        rotate_messaging_secrets(rt.sessions, TokenCipher([newest, *config.token_encryption_keys]))
        == 2
    )
    only_newest = TokenCipher([newest])
    sms = stored_settings(rt, shop_a, "sms")
    assert json.loads(only_newest.decrypt(sms.secrets_encrypted)) == {"auth_token": TWILIO_TOKEN}
    assert only_newest.decrypt(sms.hook_secret_encrypted)
    email = stored_settings(rt, shop_a, "email")
    assert json.loads(only_newest.decrypt(email.secrets_encrypted)) == {"password": SMTP_PASSWORD}
