"""An SMS campaign end to end: /api to write and schedule it, the ``campaigns`` queue to send
it through the fake Twilio, the counts back through /api; resumed after a crash with nobody
messaged twice."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from jobs.campaigns import start_due_campaigns
from loyalty.campaigns.campaign_send import Progress, Sender, run_campaign
from loyalty.core.models import Campaign, Member
from loyalty.core.types import utcnow
from tests.campaigns.campaign_api import (
    call,
    campaign,
    logged,
    new_campaign,
    no_quiet_hours,
    recipients,
    sms_club,
    use_fake_twilio,
)
from tests.support.jobs import drain


@pytest.fixture
def ready(client, rt, shop_a, sinks):
    """Shop A: the fake Twilio as its provider, no quiet hours, the SMS club as members."""
    use_fake_twilio(client, sinks)
    no_quiet_hours(client)
    return sms_club(rt, shop_a)


def schedule(client, campaign_id, send_at=None):
    return call(client, "post", f"/api/campaigns/{campaign_id}/schedule", {"send_at": send_at})


@pytest.mark.embedded
def test_a_campaign_sent_now_reaches_everyone_who_can_get_it_once(
    client, app, live_app, rt, config, sinks, ready
):
    created = new_campaign(client)
    assert created["state"] == "draft"
    assert (
        created["counts"]["audience"] == 4
    )  # consent and a phone; the bad number is found at sending

    scheduled = schedule(client, created["id"])
    assert scheduled.status_code == 200, scheduled.get_json()
    assert scheduled.get_json()["state"] == "scheduled"
    drain(app, ["campaigns"])

    texts = {sms.to: sms.body for sms in sinks.twilio.messages}
    assert set(texts) == {"+4791234567", "+4741234567", "+4798765432"}
    assert texts["+4791234567"].startswith("Hei Kari! Du har 120 poeng.\nMeld deg av: ")
    assert texts["+4741234567"].startswith("Hi Ola! You have 5 points.\nUnsubscribe: ")
    assert texts["+4798765432"].startswith("Hei Per!")  # no language of his own: the shop's (nb)
    links = {body.rsplit(" ", 1)[1] for body in texts.values()}
    assert len(links) == 3 and all(link.startswith(f"{config.app_url}/l/") for link in links)

    result = campaign(client, created["id"])
    assert result["state"] == "sent"
    assert result["counts"] == {
        "audience": 4,
        "sent": 3,
        "delivered": 0,
        "failed": 0,
        "skipped": 1,
        "pending": 0,
        "redeemed": 0,
    }
    assert result["revenue_attributed"] == {"amount": "0.00", "currency": "NOK"}
    reasons = {r.member_id: (r.state, r.reason) for r in recipients(rt, created["id"]).values()}
    assert reasons[ready["bad_number"]] == ("skipped", "invalid_number")
    assert {m.member_id for m in logged(rt, created["id"])} == {
        ready["kari"],
        ready["ola"],
        ready["per"],
    }

    sms = next(s for s in sinks.twilio.messages if s.to == "+4791234567")
    assert sinks.twilio.report(sms.sid, "delivered").status_code == 204
    assert campaign(client, created["id"])["counts"]["delivered"] == 1

    # The sweep and a second run find nothing left to send.
    rt.queue("campaigns").enqueue(start_due_campaigns)
    drain(app, ["campaigns"])
    assert len(sinks.twilio.messages) == 3


class Crash(BaseException):
    """The process dies (not an Exception: nothing catches it on the way out)."""


@pytest.mark.embedded
@pytest.mark.parametrize("dies_at", range(1, 9))
def test_a_run_killed_anywhere_resumes_with_nobody_messaged_twice(
    client, app, rt, sinks, ready, dies_at
):
    created = new_campaign(client)
    assert schedule(client, created["id"]).status_code == 200
    ticks = iter(range(100))

    def dying_clock() -> datetime:
        if next(ticks) == dies_at:
            raise Crash
        return utcnow()

    with pytest.raises(Crash):
        run_campaign(
            Sender(rt.sessions, rt.token_cipher, rt.config, clock=dying_clock),
            int(created["id"]),
            batch=2,
        )

    rt.queue("campaigns").enqueue(start_due_campaigns)  # the minute's sweep finds it
    drain(app, ["campaigns"])

    sent_to = Counter(sms.to for sms in sinks.twilio.messages)
    assert sent_to == {"+4791234567": 1, "+4741234567": 1, "+4798765432": 1}
    result = campaign(client, created["id"])
    assert result["state"] == "sent"
    assert (result["counts"]["sent"], result["counts"]["skipped"]) == (3, 1)


@pytest.mark.embedded
def test_quiet_hours_defer_the_sending_and_skip_nobody(client, app, rt, sinks, ready):
    oslo = datetime.now(ZoneInfo("Europe/Oslo"))
    start, end = (
        (oslo - timedelta(hours=1)).strftime("%H:%M"),
        (oslo + timedelta(hours=1)).strftime("%H:%M"),
    )
    assert (
        call(
            client, "put", "/api/settings", {"quiet_hours": {"start": start, "end": end}}
        ).status_code
        == 200
    )
    created = new_campaign(client)
    assert schedule(client, created["id"]).status_code == 200
    drain(app, ["campaigns"])

    assert sinks.twilio.messages == []
    waiting = campaign(client, created["id"])
    assert waiting["state"] == "sending"
    assert (waiting["counts"]["pending"], waiting["counts"]["skipped"]) == (4, 0)
    with rt.sessions() as s:
        resume_at = s.get(Campaign, int(created["id"])).resume_at
    assert timedelta(minutes=58) < resume_at - utcnow() <= timedelta(hours=1)
    rt.queue("campaigns").enqueue(start_due_campaigns)
    drain(app, ["campaigns"])
    assert sinks.twilio.messages == []  # not due before the quiet hours end

    later = Sender(
        rt.sessions, rt.token_cipher, rt.config, clock=lambda: resume_at + timedelta(seconds=1)
    )
    assert run_campaign(later, int(created["id"])) is Progress.DONE
    assert len(sinks.twilio.messages) == 3


@pytest.mark.embedded
def test_refused_credentials_stop_the_campaign_and_an_opt_out_withdraws_consent(
    client, app, rt, sinks, ready
):
    sinks.twilio.opt_out("+4741234567")
    created = new_campaign(client)
    assert schedule(client, created["id"]).status_code == 200
    sinks.twilio.fail_next(401, {"code": 20003, "message": "Authenticate", "status": 401})
    drain(app, ["campaigns"])

    stopped = campaign(client, created["id"])
    assert (stopped["state"], stopped["error_code"]) == ("failed", "credentials_refused")
    assert stopped["counts"]["sent"] == 0
    rt.queue("campaigns").enqueue(start_due_campaigns)
    drain(app, ["campaigns"])
    assert campaign(client, created["id"])["state"] == "failed"  # not retried

    second = new_campaign(client)
    assert schedule(client, second["id"]).status_code == 200
    drain(app, ["campaigns"])
    result = campaign(client, second["id"])
    assert (result["state"], result["counts"]["sent"], result["counts"]["failed"]) == ("sent", 2, 1)
    assert recipients(rt, second["id"])[ready["ola"]].reason == "21610"
    with rt.sessions() as s:
        assert s.get(Member, ready["ola"]).sms_consent is False


@pytest.mark.embedded
def test_a_scheduled_campaign_survives_a_redis_flush(client, app, rt, sinks, ready):
    created = new_campaign(client)
    later = (utcnow() + timedelta(hours=10)).isoformat()
    assert schedule(client, created["id"], later).get_json()["send_at"] is not None
    drain(app, ["campaigns"])
    assert sinks.twilio.messages == []

    rt.redis.flushdb()
    with rt.sessions.begin() as s:  # ten hours pass
        s.execute(
            update(Campaign).where(Campaign.id == int(created["id"])).values(send_at=utcnow())
        )
    rt.queue("campaigns").enqueue(start_due_campaigns)
    drain(app, ["campaigns"])
    assert len(sinks.twilio.messages) == 3
