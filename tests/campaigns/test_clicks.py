"""Tracked links end to end: a link in the campaign's text goes out as the recipient's own
``/l/{token}-{n}``, which counts the click and leads to the link the merchant wrote."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.campaigns.campaign_api import (
    call,
    campaign,
    new_campaign,
    no_quiet_hours,
    sms_club,
    use_fake_twilio,
)
from tests.support.jobs import drain

LINKS = {
    "nb": "Hei {first_name}! Se https://butikk.no/jul. Eller https://butikk.no/?q=sko",
    "en": "Hi {first_name}! See https://butikk.no/en/christmas.",
}


@pytest.mark.embedded
def test_a_link_in_the_message_is_tracked_per_member_and_leads_where_the_merchant_wrote(
    client, app, rt, shop_a, sinks, config
):
    use_fake_twilio(client, sinks)
    no_quiet_hours(client)
    sms_club(rt, shop_a)
    created = new_campaign(client, message=LINKS)
    call(client, "post", f"/api/campaigns/{created['id']}/schedule", {"send_at": None})
    drain(app, ["campaigns"])
    texts = {sms.to: sms.body for sms in sinks.twilio.messages}
    kari, ola = texts["+4791234567"], texts["+4741234567"]
    assert "butikk.no" not in kari + ola
    prefix = f"{config.app_url}/l/"
    kari_links = [w.rstrip(".") for w in kari.split() if w.startswith(prefix)]
    assert [link[-2:] for link in kari_links[:2]] == ["-1", "-2"]  # then the unsubscribe link
    path = kari_links[0][len(config.app_url) :]

    first = client.get(path)
    assert (first.status_code, first.headers["Location"]) == (302, "https://butikk.no/jul")
    assert first.headers["Cache-Control"] == "private, no-store"
    assert client.get(path).status_code == 302
    second = client.get(kari_links[1][len(config.app_url) :])
    assert second.headers["Location"] == "https://butikk.no/?q=sko"
    [ola_link] = [w.rstrip(".") for w in ola.split() if w.startswith(prefix) and "-" in w[-3:]]
    assert client.get(ola_link[len(config.app_url) :]).headers["Location"] == (
        "https://butikk.no/en/christmas"
    )

    assert campaign(client, created["id"])["clicks"] == {"members": 2, "total": 4}
    token = path.split("/")[-1].split("-")[0]
    for bad in (f"/l/{token}-3", f"/l/{token}-0", "/l/AAAAAAAAAAAAAAAA-1", f"/l/{token}-x"):
        assert client.get(bad).status_code == 404, bad
    assert client.get(f"/l/{token}").status_code == 200  # the unsubscribe page as before
    assert campaign(client, created["id"])["clicks"] == {"members": 2, "total": 4}


@pytest.mark.embedded
def test_a_merge_field_inside_a_link_is_refused(client, rt, shop_a):
    segment = call(client, "post", "/api/segments", {"name": "Alle", "filter": {}}).get_json()
    body = {
        "name": "Jul",
        "channel": "sms",
        "segment_id": segment["id"],
        "message": {"nb": "https://butikk.no/?navn={first_name}", "en": "Hi"},
    }
    answer = call(client, "post", "/api/campaigns", body)
    assert answer.status_code == 422
    assert set(answer.get_json()["error"]["fields"]) == {"message.nb"}


@pytest.mark.embedded
def test_one_address_may_open_60_links_a_minute(client, rt, shop_a, monkeypatch):
    # A fixed clock: the 61st request falls in the first one's minute however slow the machine.
    monkeypatch.setattr("hooks.links.time", SimpleNamespace(time=lambda: 1_800_000_030.0))
    for _ in range(60):
        assert client.get("/l/AAAAAAAAAAAAAAAA-1").status_code == 404
    refused = client.get("/l/AAAAAAAAAAAAAAAA")
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "30")
    other = client.get("/l/AAAAAAAAAAAAAAAA", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 404  # another address has a window of its own
