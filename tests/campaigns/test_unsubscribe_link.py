"""The unsubscribe link every campaign SMS ends with: ``GET /l/{token}`` asks, ``POST``
withdraws the member's SMS consent in Klubb (and queues its push to Shopify)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loyalty.core.models import ConsentEvent, Member
from tests.campaigns.campaign_api import (
    call,
    new_campaign,
    no_quiet_hours,
    sms_club,
    use_fake_twilio,
)
from tests.support.jobs import drain


@pytest.mark.embedded
def test_the_link_in_an_sms_unsubscribes_its_member(client, app, rt, config, shop_a, sinks):
    use_fake_twilio(client, sinks)
    no_quiet_hours(client)
    club = sms_club(rt, shop_a)
    created = new_campaign(client)
    call(client, "post", f"/api/campaigns/{created['id']}/schedule", {"send_at": None})
    drain(app, ["campaigns"])
    kari = next(sms for sms in sinks.twilio.messages if sms.to == "+4791234567")
    path = kari.body.rsplit(" ", 1)[1].removeprefix(config.app_url)

    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    html = page.get_data(as_text=True)
    assert "Vil du slutte å få SMS fra oss?" in html and '<form method="post">' in html
    with rt.sessions() as s:
        assert s.get(Member, club["kari"]).sms_consent is True  # a GET changes nothing

    done = client.post(path)
    assert done.status_code == 200
    assert "Du får ikke flere SMS fra oss." in done.get_data(as_text=True)
    assert client.post(path).status_code == 200  # again: nothing more to withdraw
    with rt.sessions() as s:
        assert s.get(Member, club["kari"]).sms_consent is False
        assert s.get(Member, club["ola"]).sms_consent is True
        events = s.scalars(select(ConsentEvent).where(ConsentEvent.member_id == club["kari"])).all()
    assert [(e.channel, e.granted, e.source) for e in events] == [
        ("sms", False, "unsubscribe_link")
    ]
    assert events[0].push_pending_since is not None
    assert [j.func_name for j in rt.queue("shopify").jobs] == ["jobs.shopify_sync.push_consent"]

    assert client.get("/l/AAAAAAAAAAAAAAAA").status_code == 404
    assert client.post("/l/not-a-token").status_code == 404
