"""What the campaign tests share: a shop with the fake Twilio, members, calls to /api."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from loyalty.core.models import CampaignRecipient, SentMessage
from tests.campaigns.seed import add_member
from tests.support.http import bearer
from tests.support.shops import SHOP_A

TEXTS = {
    "nb": "Hei {first_name}! Du har {points} poeng.",
    "en": "Hi {first_name}! You have {points} points.",
}


def call(client: Any, method: str, path: str, body: Any = None, shop: str = SHOP_A) -> Any:
    return getattr(client, method)(path, json=body, headers=bearer(shop))


def use_fake_twilio(client: Any, sinks: Any, shop: str = SHOP_A) -> str:
    """The shop (A unless told) sends SMS through the fake Twilio; its account's SID."""
    sid, token = sinks.twilio.add_account()
    body = {"provider": "twilio", "account_sid": sid, "auth_token": token, "sender": "Butikken"}
    answer = call(client, "put", "/api/messaging/sms", body, shop)
    assert answer.status_code == 200, answer.get_json()
    return sid


def no_quiet_hours(client: Any, shop: str = SHOP_A) -> None:
    """Tests run at any hour: quiet hours off unless a test sets them."""
    assert call(client, "put", "/api/settings", {"quiet_hours": None}, shop).status_code == 200


def sms_club(rt: Any, shop_id: int) -> dict[str, int]:
    """Members by role: three who can get an SMS, and one each who cannot (and why)."""
    return {
        "kari": add_member(
            rt,
            shop_id,
            1,
            first_name="Kari",
            language="nb",
            points_balance=120,
            sms_consent=True,
            phone="912 34 567",
        ),
        "ola": add_member(
            rt,
            shop_id,
            2,
            first_name="Ola",
            language="en",
            points_balance=5,
            sms_consent=True,
            phone="+4741234567",
        ),
        "per": add_member(
            rt, shop_id, 3, first_name="Per", sms_consent=True, phone="0047 98765432"
        ),
        "bad_number": add_member(rt, shop_id, 4, sms_consent=True, phone="12"),
        "no_consent": add_member(rt, shop_id, 5, sms_consent=False, phone="93333333"),
        "restricted": add_member(
            rt, shop_id, 6, status="restricted", sms_consent=True, phone="94444444"
        ),
    }


def new_campaign(
    client: Any, channel: str = "sms", shop: str = SHOP_A, **fields: Any
) -> dict[str, Any]:
    """A segment of every member and a campaign to it (201 asserted)."""
    segment = call(client, "post", "/api/segments", {"name": "Alle", "filter": {}}, shop).get_json()
    body = {
        "name": "Jul",
        "channel": channel,
        "segment_id": segment["id"],
        "message": TEXTS,
        **fields,
    }
    answer = call(client, "post", "/api/campaigns", body, shop)
    assert answer.status_code == 201, answer.get_json()
    created: dict[str, Any] = answer.get_json()
    return created


def campaign(client: Any, campaign_id: str, shop: str = SHOP_A) -> dict[str, Any]:
    answer = call(client, "get", f"/api/campaigns/{campaign_id}", shop=shop)
    assert answer.status_code == 200, answer.get_json()
    found: dict[str, Any] = answer.get_json()
    return found


def recipients(rt: Any, campaign_id: str) -> dict[int, CampaignRecipient]:
    with rt.sessions() as s:
        rows = s.scalars(
            select(CampaignRecipient).where(CampaignRecipient.campaign_id == int(campaign_id))
        )
        return {r.member_id: r for r in rows}


def logged(rt: Any, campaign_id: str) -> list[SentMessage]:
    with rt.sessions() as s:
        return list(
            s.scalars(select(SentMessage).where(SentMessage.campaign_id == int(campaign_id)))
        )
