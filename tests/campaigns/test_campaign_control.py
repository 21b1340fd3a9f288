"""A campaign before and while it goes, through /api: its preview per language (SMS length and
cost), a test message to the merchant, pause and resume with nobody messaged twice."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest

from jobs.campaigns import start_due_campaigns
from loyalty.campaigns.campaign_send import Progress, Sender, run_campaign
from loyalty.core.types import utcnow
from tests.campaigns.campaign_api import (
    TEXTS,
    call,
    campaign,
    new_campaign,
    no_quiet_hours,
    sms_club,
    use_fake_twilio,
)
from tests.support.jobs import drain
from tests.support.shops import SHOP_B


@pytest.fixture
def ready(client, rt, shop_a, sinks):
    use_fake_twilio(client, sinks)
    no_quiet_hours(client)
    return sms_club(rt, shop_a)


def preview(client, segment_id: str, **fields):
    body = {"channel": "sms", "segment_id": segment_id, "message": TEXTS, **fields}
    return call(client, "post", "/api/campaigns/preview", body)


def segment(client) -> str:
    answer = call(client, "post", "/api/segments", {"name": "Alle", "filter": {}})
    return str(answer.get_json()["id"])


@pytest.mark.embedded
def test_the_preview_renders_each_language_for_a_member_with_its_segments_and_cost(
    client, config, ready
):
    answer = preview(client, segment(client))
    assert answer.status_code == 200, answer.get_json()
    found = answer.get_json()
    nb, en = found["languages"]["nb"], found["languages"]["en"]
    link = f"{config.app_url}/l/{'x' * 16}"
    assert nb["text"] == f"Hei Kari! Du har 120 poeng.\nMeld deg av: {link}"
    assert en["text"] == f"Hi Ola! You have 5 points.\nUnsubscribe: {link}"
    assert (nb["encoding"], nb["segments"], nb["example"]) == ("gsm7", 1, False)
    # Kari, Per (the shop's language) and the bad number in bokmål, Ola in English.
    assert (nb["recipients"], en["recipients"]) == (3, 1)
    assert found["cost"] == {
        "segments": 4,
        "price_per_segment": {"amount": "0.50", "currency": "NOK"},
        "amount": "2.00",
        "currency": "NOK",
    }

    emoji = {"nb": "Hei 🙂 " + "x" * 100, "en": "Æ Ø Å " + "x" * 100}
    answer = preview(client, segment(client), message=emoji, price_per_segment="0.35")
    languages = answer.get_json()["languages"]
    assert (languages["nb"]["encoding"], languages["nb"]["segments"]) == ("ucs2", 3)
    assert (languages["en"]["encoding"], languages["en"]["segments"]) == ("gsm7", 2)
    assert answer.get_json()["cost"]["amount"] == str(round(0.35 * (3 * 3 + 2), 2))


@pytest.mark.embedded
def test_the_preview_shows_an_example_member_and_code_when_nobody_fits(client, rt, shop_a):
    code = {"nb": "Hei {first_name}, koden: {code}", "en": "Hi {first_name}, code: {code}"}
    offer = {"kind": "member_code", "discount": "percentage", "value": 10}
    answer = preview(client, segment(client), message=code, offer=offer)
    languages = answer.get_json()["languages"]
    assert languages["nb"]["text"].startswith("Hei Kari, koden: KLUBB-XXXXXXXXXX\n")
    assert languages["en"]["text"].startswith("Hi Emma, code: KLUBB-XXXXXXXXXX\n")
    assert languages["nb"]["example"] and answer.get_json()["cost"]["segments"] == 0


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"message": {"nb": "{fornavn}", "en": "x"}}, {"message.nb"}),
        ({"price_per_segment": "-1"}, {"price_per_segment"}),
        ({"price_per_segment": "gratis"}, {"price_per_segment"}),
        ({"message": {"nb": "Æ" * 1600, "en": "x"}}, {"message.nb"}),
    ],
)
def test_a_bad_preview_is_refused_field_by_field(client, ready, fields, expected):
    answer = preview(client, segment(client), **fields)
    assert answer.status_code == 422
    assert set(answer.get_json()["error"]["fields"]) == expected


@pytest.mark.embedded
def test_a_test_message_goes_to_the_merchant_only(client, sinks, ready, shop_b):
    created = new_campaign(client)
    url = f"/api/campaigns/{created['id']}/test"
    answer = call(client, "post", url, {"to": "99 88 77 66", "language": "en"})
    assert answer.status_code == 201, answer.get_json()
    [sms] = sinks.twilio.messages
    assert (sms.to, sms.body.split("\n")[0]) == ("+4799887766", "Hi Emma! You have 250 points.")
    assert campaign(client, created["id"])["counts"]["sent"] == 0
    for body, field in (
        ({"to": "99887766", "language": "sv"}, "language"),
        ({"to": "12", "language": "nb"}, "to"),
        ({"language": "nb"}, "to"),
    ):
        refused = call(client, "post", url, body)
        assert refused.status_code == 422 and field in refused.get_json()["error"]["fields"]
    assert (
        call(client, "post", url, {"to": "99887766", "language": "nb"}, SHOP_B).status_code == 404
    )


@pytest.mark.embedded
def test_a_campaign_paused_mid_send_stops_and_resumes_where_it_stopped(
    client, app, rt, sinks, ready
):
    created = new_campaign(client)
    schedule = f"/api/campaigns/{created['id']}/schedule"
    assert call(client, "post", schedule, {"send_at": None}).status_code == 200

    def pausing_clock() -> datetime:
        if (
            len(sinks.twilio.messages) == 1
            and campaign(client, created["id"])["state"] == "sending"
        ):
            paused = call(client, "post", f"/api/campaigns/{created['id']}/pause")
            assert paused.status_code == 200 and paused.get_json()["state"] == "paused"
        return utcnow()

    sender = Sender(rt.sessions, rt.token_cipher, rt.config, clock=pausing_clock)
    assert run_campaign(sender, int(created["id"])) == Progress.PAUSED
    assert len(sinks.twilio.messages) == 1
    rt.queue("campaigns").enqueue(start_due_campaigns)  # the sweep leaves a paused one alone
    drain(app, ["campaigns"])
    held = campaign(client, created["id"])
    assert (held["state"], held["counts"]["sent"], len(sinks.twilio.messages)) == ("paused", 1, 1)
    again = call(client, "post", f"/api/campaigns/{created['id']}/pause")
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "not_pausable")

    resumed = call(client, "post", f"/api/campaigns/{created['id']}/resume")
    assert resumed.status_code == 200 and resumed.get_json()["state"] == "sending"
    drain(app, ["campaigns"])
    assert Counter(sms.to for sms in sinks.twilio.messages) == {
        "+4791234567": 1,
        "+4741234567": 1,
        "+4798765432": 1,
    }
    done = campaign(client, created["id"])
    assert (done["state"], done["counts"]["sent"]) == ("sent", 3)
    late = call(client, "post", f"/api/campaigns/{created['id']}/resume")
    assert (late.status_code, late.get_json()["error"]["code"]) == (409, "not_paused")


@pytest.mark.embedded
def test_a_campaign_paused_before_its_time_is_scheduled_again_on_resume(
    client, app, rt, sinks, ready
):
    created = new_campaign(client)
    later = (utcnow().replace(microsecond=0)).isoformat()
    assert (
        call(
            client, "post", f"/api/campaigns/{created['id']}/schedule", {"send_at": later}
        ).status_code
        == 200
    )
    assert call(client, "post", f"/api/campaigns/{created['id']}/pause").status_code == 200
    rt.queue("campaigns").enqueue(start_due_campaigns)
    drain(app, ["campaigns"])
    assert sinks.twilio.messages == []
    resumed = call(client, "post", f"/api/campaigns/{created['id']}/resume")
    assert resumed.get_json()["state"] == "scheduled"
    rt.queue("campaigns").enqueue(start_due_campaigns)
    drain(app, ["campaigns"])
    assert len(sinks.twilio.messages) == 3


@pytest.mark.embedded
def test_a_segment_of_one_language_previews_the_other_with_an_example(client, ready):
    english = call(client, "post", "/api/segments", {"name": "En", "filter": {"language": "en"}})
    found = preview(client, english.get_json()["id"]).get_json()["languages"]
    assert found["en"]["text"].startswith("Hi Ola!") and not found["en"]["example"]
    assert found["nb"]["text"].startswith("Hei Kari!") and found["nb"]["example"]
    assert (found["nb"]["recipients"], found["en"]["recipients"]) == (0, 1)
