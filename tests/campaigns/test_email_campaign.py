"""An email campaign through the SMTP sink: subject and text in the member's language, the
unsubscribe link in the text and in ``List-Unsubscribe`` (one-click)."""

from __future__ import annotations

import pytest

from loyalty.core.models import Member
from tests.campaigns.campaign_api import call, campaign, new_campaign
from tests.campaigns.seed import add_member
from tests.support.jobs import drain


@pytest.mark.embedded
def test_an_email_campaign_reaches_members_with_email_consent(
    client, app, rt, config, shop_a, sinks
):
    smtp = {
        "host": "127.0.0.1",
        "port": sinks.smtp_port,
        "tls": "none",
        "from": "klubb@butikken.no",
    }
    assert call(client, "put", "/api/messaging/email", smtp).status_code == 200
    kari = add_member(
        rt, shop_a, 1, first_name="Kari", email="kari@example.com", email_consent=True
    )
    add_member(
        rt, shop_a, 2, first_name="Ola", language="en", email="ola@example.com", email_consent=True
    )
    add_member(rt, shop_a, 3, email="ingen@example.com", email_consent=False)
    add_member(rt, shop_a, 4, email=None, email_consent=True)
    subject = {"nb": "Julegave til {first_name}", "en": "A gift for {first_name}"}
    created = new_campaign(client, channel="email", subject=subject)
    assert created["counts"]["audience"] == 2
    assert (
        call(
            client, "post", f"/api/campaigns/{created['id']}/schedule", {"send_at": None}
        ).status_code
        == 200
    )
    drain(app, ["campaigns"])

    mails = {m.rcpt_tos[0]: m for m in sinks.smtp.messages}
    assert set(mails) == {"kari@example.com", "ola@example.com"}
    norwegian = mails["kari@example.com"]
    assert norwegian.subject == "Julegave til Kari"
    text = norwegian.part("plain")
    assert text.startswith("Hei Kari! Du har 0 poeng.")
    link = norwegian.message["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{config.app_url}/l/") and f"Meld deg av: {link}" in text
    assert norwegian.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mails["ola@example.com"].subject == "A gift for Ola"
    assert campaign(client, created["id"])["counts"]["sent"] == 2

    # A mail client's one-click unsubscribe: a POST to the link.
    assert (
        client.post(
            link.removeprefix(config.app_url), data="List-Unsubscribe=One-Click"
        ).status_code
        == 200
    )
    with rt.sessions() as s:
        assert s.get(Member, kari).email_consent is False
