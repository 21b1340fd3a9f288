"""Campaign offers end to end: written through /api, the codes made in the fake Shopify by the
``campaigns`` queue ahead of the send time, the codes in the SMS, the orders that use them
(orders/* webhooks) counted as redeemed and as the campaign's revenue and store visits."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from jobs.campaigns import prepare_codes, start_due_campaigns
from loyalty.core.models import Campaign, CampaignCode, LedgerEntry, Member
from loyalty.core.types import utcnow
from tests.campaigns.campaign_api import (
    call,
    campaign,
    new_campaign,
    no_quiet_hours,
    use_fake_twilio,
)
from tests.campaigns.seed import add_member
from tests.support.bodies import Line, order_body, refund_body
from tests.support.jobs import drain
from tests.support.shops import SHOP

OSLO = ZoneInfo("Europe/Oslo")
CODE_TEXTS = {
    "nb": "Hei {first_name}! Bruk {code} for 15 % rabatt.",
    "en": "Hi {first_name}! Use {code} for 15 % off.",
}
MEMBER_CODE = {"kind": "member_code", "discount": "percentage", "value": 15, "valid_days": 14}


@pytest.fixture
def shop(installed_shop, fake_shopify):
    """The test shop on the fake Shopify with a token of its own, customers 1-4 there."""
    fake = fake_shopify.add_shop(SHOP, currency="NOK", timezone="Europe/Oslo", installed=True)
    for customer in (1, 2, 3, 4):
        fake.add_customer(customer, "Kunde", str(customer), f"c{customer}@example.com")
    return installed_shop(SHOP, tokens=True, currency="NOK", locale="nb", timezone="Europe/Oslo")


@pytest.fixture
def club(client, rt, shop, fake_shopify, sinks):
    """The test shop and the fake Twilio; three members who can get an SMS and one without
    consent."""
    fake = fake_shopify.shop(SHOP)
    use_fake_twilio(client, sinks, SHOP)
    no_quiet_hours(client, SHOP)
    members = {
        "kari": add_member(
            rt, shop.id, 1, first_name="Kari", language="nb", sms_consent=True, phone="91234567"
        ),
        "ola": add_member(
            rt, shop.id, 2, first_name="Ola", language="en", sms_consent=True, phone="41234567"
        ),
        "per": add_member(rt, shop.id, 3, first_name="Per", sms_consent=True, phone="98765432"),
        "nei": add_member(rt, shop.id, 4, sms_consent=False, phone="93333333"),
    }
    return SimpleNamespace(fake=fake, shop_id=shop.id, members=members)


def ours(fake) -> list:
    return [d for d in fake.discounts.values() if "(Klubb campaign #" in d.title]


def tomorrow_at_seven() -> str:
    day = datetime.now(OSLO).date() + timedelta(days=1)
    return datetime.combine(day, time(7, 0), OSLO).isoformat()


def schedule(client, campaign_id: str, send_at: str | None) -> dict:
    answer = call(
        client, "post", f"/api/campaigns/{campaign_id}/schedule", {"send_at": send_at}, SHOP
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def send_now(app, rt, campaign_id: str) -> None:
    """The morning comes: the campaign is due, and the minute's sweep runs as RQ runs it."""
    with rt.sessions.begin() as s:
        s.execute(update(Campaign).where(Campaign.id == int(campaign_id)).values(send_at=utcnow()))
    rt.queue("campaigns").enqueue(start_due_campaigns)
    drain(app, ["campaigns"])


def codes_by_member(rt, campaign_id: str) -> dict[int, CampaignCode]:
    with rt.sessions() as s:
        rows = s.scalars(select(CampaignCode).where(CampaignCode.campaign_id == int(campaign_id)))
        return {r.member_id: r for r in rows}


def order_of(order_id: int, customer_id: int, amount: str, at: datetime, *, codes=(), pos=False):
    body = order_body(
        order_id,
        [Line(order_id, amount)],
        customer_id=customer_id,
        source_name="pos" if pos else "web",
        location_id=1 if pos else None,
    )
    body.update(created_at=at.isoformat(), processed_at=at.isoformat(), updated_at=at.isoformat())
    body["discount_codes"] = [{"code": c, "amount": "10.00", "type": "percentage"} for c in codes]
    return body


@pytest.mark.slow
def test_a_code_per_member_is_made_ahead_sent_in_the_sms_and_counted_when_used(
    client, app, live_app, rt, sinks, club, deliver
):
    created = new_campaign(client, shop=SHOP, message=CODE_TEXTS, offer=MEMBER_CODE)
    assert created["offer"] == {**MEMBER_CODE, "value": "15"}
    assert created["codes"] == {"audience": 3, "created": 0, "failed": 0, "ready": False}

    schedule(client, created["id"], tomorrow_at_seven())
    drain(app, ["campaigns"])  # the codes job, queued by the scheduling
    progress = campaign(client, created["id"], SHOP)
    assert progress["state"] == "scheduled" and sinks.twilio.messages == []
    assert progress["codes"] == {"audience": 3, "created": 3, "failed": 0, "ready": True}
    discounts = ours(club.fake)
    assert sorted(d.customer_ids[0] for d in discounts) == [
        f"gid://shopify/Customer/{c}" for c in (1, 2, 3)
    ]
    assert all(d.usage_limit == 1 and d.percentage == 0.15 for d in discounts)
    starts = {d.starts_at for d in discounts}
    assert all(d.ends_at is not None and d.ends_at - max(starts) > 14 * 86400 for d in discounts)

    rt.queue("campaigns").enqueue(prepare_codes, int(created["id"]))  # run again: no new code
    drain(app, ["campaigns"])
    assert len(ours(club.fake)) == 3

    send_now(app, rt, created["id"])
    codes = codes_by_member(rt, created["id"])
    texts = {sms.to: sms.body for sms in sinks.twilio.messages}
    kari, ola = club.members["kari"], club.members["ola"]
    assert texts["+4791234567"].startswith(f"Hei Kari! Bruk {codes[kari].code} for 15 % rabatt.")
    assert texts["+4741234567"].startswith(f"Hi Ola! Use {codes[ola].code} for 15 % off.")
    sent = campaign(client, created["id"], SHOP)
    assert (sent["state"], sent["counts"]["sent"], sent["counts"]["redeemed"]) == ("sent", 3, 0)

    # Kari walks into the shop 7 minutes later with her code; Ola orders online the next day.
    start = utcnow()
    deliver(
        "orders/paid",
        order_of(
            9001,
            1,
            "500.00",
            start + timedelta(minutes=7),
            codes=[codes[kari].code.lower()],
            pos=True,
        ),
    )
    deliver("orders/paid", order_of(9002, 2, "300.00", start + timedelta(hours=20)))
    deliver("orders/paid", order_of(9003, 3, "999.00", start + timedelta(hours=80)))  # too late
    deliver(
        "orders/paid",
        order_of(
            9001, 1, "500.00", start + timedelta(minutes=7), codes=[codes[kari].code], pos=True
        ),
    )  # twice
    result = campaign(client, created["id"], SHOP)
    assert result["counts"]["redeemed"] == 1
    assert result["revenue_attributed"] == {"amount": "800.00", "currency": "NOK"}
    assert result["attribution"]["pos"] == {
        "orders": 1,
        "revenue": {"amount": "500.00", "currency": "NOK"},
    }
    assert result["attribution"]["online"]["orders"] == 1
    visits = result["store_visits"]
    assert (visits["count"], visits["median_minutes"]) == (1, 7)
    assert [b["count"] for b in visits["minutes_after_send"] if b["from_minutes"] == 5] == [1]

    deliver("refunds/create", refund_body(77, 9002, [(Line(9002, "300.00"), 1)]))
    refunded = campaign(client, created["id"], SHOP)
    assert refunded["revenue_attributed"] == {"amount": "500.00", "currency": "NOK"}


@pytest.mark.slow
def test_a_member_who_joins_the_audience_after_the_codes_job_gets_a_code_as_the_sms_goes(
    client, app, live_app, rt, sinks, club
):
    created = new_campaign(client, shop=SHOP, message=CODE_TEXTS, offer=MEMBER_CODE)
    schedule(client, created["id"], tomorrow_at_seven())
    drain(app, ["campaigns"])
    with rt.sessions.begin() as s:  # customer 4 gives consent overnight
        s.execute(update(Member).where(Member.id == club.members["nei"]).values(sms_consent=True))
    send_now(app, rt, created["id"])
    codes = codes_by_member(rt, created["id"])
    assert len(codes) == 4 and len(ours(club.fake)) == 4
    texts = {sms.to: sms.body for sms in sinks.twilio.messages}
    assert codes[club.members["nei"]].code in texts["+4793333333"]


@pytest.mark.slow
def test_a_code_shopify_refuses_skips_that_member_and_nobody_else(
    client, app, live_app, rt, sinks, club
):
    club.fake.customers.pop("gid://shopify/Customer/2")  # Shopify no longer knows Ola
    created = new_campaign(client, shop=SHOP, message=CODE_TEXTS, offer=MEMBER_CODE)
    schedule(client, created["id"], None)
    drain(app, ["campaigns"])
    result = campaign(client, created["id"], SHOP)
    assert (result["counts"]["sent"], result["counts"]["skipped"]) == (2, 1)
    assert result["codes"]["failed"] == 1
    assert "+4741234567" not in {sms.to for sms in sinks.twilio.messages}


@pytest.mark.slow
def test_a_shared_code_is_made_once_for_every_customer_and_counted_per_member(
    client, app, live_app, rt, sinks, club, deliver
):
    offer = {"kind": "shared_code", "code": "jul24", "discount": "fixed_amount", "value": "50"}
    created = new_campaign(client, shop=SHOP, message=CODE_TEXTS, offer=offer)
    assert created["offer"]["code"] == "JUL24"
    schedule(client, created["id"], None)
    drain(app, ["campaigns"])
    [discount] = ours(club.fake)
    assert discount.customer_ids is None and discount.usage_limit is None
    assert discount.applies_once_per_customer and discount.amount == 50
    assert all(
        "Use JUL24 for" in m.body or "Bruk JUL24 for" in m.body for m in sinks.twilio.messages
    )
    start = utcnow()
    deliver("orders/paid", order_of(9101, 1, "200.00", start + timedelta(hours=1), codes=["JUL24"]))
    deliver("orders/paid", order_of(9102, 4, "200.00", start + timedelta(hours=1), codes=["JUL24"]))
    result = campaign(client, created["id"], SHOP)
    assert result["counts"]["redeemed"] == 1  # customer 4 was not sent the code


@pytest.mark.slow
def test_a_shared_code_another_discount_holds_stops_the_campaign_before_anyone_is_messaged(
    client, app, live_app, rt, sinks, club
):
    offer = {"kind": "shared_code", "code": "JUL24", "discount": "percentage", "value": 10}
    created = new_campaign(client, shop=SHOP, message=CODE_TEXTS, offer=offer)
    other = new_campaign(client, shop=SHOP, message=CODE_TEXTS, offer=offer)
    schedule(client, created["id"], None)
    drain(app, ["campaigns"])
    sent_before = len(sinks.twilio.messages)
    schedule(client, other["id"], None)  # the same code: Shopify has it under the first's title
    drain(app, ["campaigns"])
    stopped = campaign(client, other["id"], SHOP)
    assert (stopped["state"], stopped["error_code"]) == ("failed", "code_refused")
    assert len(sinks.twilio.messages) == sent_before


@pytest.mark.embedded
def test_bonus_points_are_given_once_to_each_member_the_message_reached(
    client, app, rt, shop_a, sinks
):
    from tests.campaigns.campaign_api import sms_club

    use_fake_twilio(client, sinks)
    no_quiet_hours(client)
    members = sms_club(rt, shop_a)
    offer = {"kind": "bonus_points", "points": 50}
    created = new_campaign(client, offer=offer)
    answer = call(client, "post", f"/api/campaigns/{created['id']}/schedule", {"send_at": None})
    assert answer.status_code == 200
    drain(app, ["campaigns"])
    rt.queue("campaigns").enqueue(start_due_campaigns)
    drain(app, ["campaigns"])
    with rt.sessions() as s:
        entries = s.scalars(
            select(LedgerEntry).where(LedgerEntry.source_key.like(f"campaign:{created['id']}:%"))
        ).all()
        balances = {m: s.get(Member, m).points_balance for m in members.values()}
    assert sorted(e.member_id for e in entries) == sorted(
        [members["kari"], members["ola"], members["per"]]
    )
    assert {(e.points, e.kind, e.reason_code) for e in entries} == {(50, "bonus", "campaign_bonus")}
    assert entries[0].reason_params == {"campaign_id": int(created["id"]), "campaign": "Jul"}
    assert balances[members["kari"]] == 170 and balances[members["bad_number"]] == 0
