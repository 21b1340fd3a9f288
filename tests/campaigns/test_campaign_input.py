"""Campaigns refused as written or as scheduled: 422 naming the field, 409 for the setup."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loyalty.campaigns.campaign_text import sms_segments
from loyalty.core.types import utcnow
from tests.campaigns.campaign_api import TEXTS, call, new_campaign, use_fake_twilio
from tests.campaigns.seed import add_member
from tests.support.shops import SHOP_B


@pytest.fixture
def segment_id(client, rt, shop_a):
    add_member(rt, shop_a, 1, sms_consent=True, phone="91234567")
    return call(client, "post", "/api/segments", {"name": "Alle", "filter": {}}).get_json()["id"]


MEMBER = {"kind": "member_code", "discount": "percentage", "value": 10}
CODE = {"nb": "Koden: {code}", "en": "Code: {code}"}


def write(client, segment, **fields):
    body = {"name": "Jul", "channel": "sms", "segment_id": segment, "message": TEXTS, **fields}
    return call(client, "post", "/api/campaigns", {k: v for k, v in body.items() if v is not None})


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"message": {"nb": "Hei {fornavn}", "en": "Hi"}}, {"message.nb"}),
        ({"message": {"nb": "Koden: {code}", "en": "Code: {code}"}}, {"message.nb", "message.en"}),
        ({"message": {"nb": "Hei {first_name", "en": "Hi"}}, {"message.nb"}),
        ({"message": {"nb": "Æ" * 1520, "en": "Hi"}}, {"message.nb"}),  # GSM-7 but 11 segments
        ({"message": {"nb": "Hei 🙂 " + "x" * 700, "en": "Hi"}}, {"message.nb"}),  # UCS-2: 11
        ({"message": {"nb": "Hei"}}, {"message"}),
        ({"message": {"nb": " ", "en": 5}}, {"message.nb", "message.en"}),
        ({"channel": "fax"}, {"channel"}),
        ({"segment_id": "999999"}, {"segment_id"}),
        ({"segment_id": 1}, {"segment_id"}),
        ({"name": ""}, {"name"}),
        ({"subject": {"nb": "Emne", "en": "Subject"}}, {"subject"}),  # SMS have none
        ({"channel": "email"}, {"subject"}),
        ({"colour": "red"}, {"colour"}),
        # Offers: each key checked; {code} only with an offer that has one.
        ({"offer": {"kind": "voucher"}}, {"offer"}),
        ({"offer": "bonus"}, {"offer"}),
        ({"offer": {"kind": "bonus_points", "points": 0}}, {"offer.points"}),
        ({"offer": {"kind": "bonus_points", "points": True}}, {"offer.points"}),
        (
            {"offer": {"kind": "bonus_points", "points": 5}, "message": CODE},
            {"message.nb", "message.en"},
        ),
        ({"offer": {"kind": "member_code", "discount": "free", "value": 1}}, {"offer.discount"}),
        (
            {"offer": {"kind": "member_code", "discount": "percentage", "value": 150}},
            {"offer.value"},
        ),
        (
            {"offer": {"kind": "member_code", "discount": "percentage", "value": "12.5"}},
            {"offer.value"},
        ),
        (
            {"offer": {"kind": "member_code", "discount": "fixed_amount", "value": "-5"}},
            {"offer.value"},
        ),
        (
            {"offer": {"kind": "member_code", "discount": "fixed_amount", "value": "5.001"}},
            {"offer.value"},
        ),
        (
            {"offer": {**MEMBER, "valid_days": 0}},
            {"offer.valid_days"},
        ),
        ({"offer": {**MEMBER, "code": "JUL"}}, {"offer.code"}),
        ({"offer": {**MEMBER, "kind": "shared_code", "code": "ÆØÅ"}}, {"offer.code"}),
        ({"offer": {**MEMBER, "kind": "shared_code"}}, {"offer.code"}),
        ({"attribution_hours": 0}, {"attribution_hours"}),
        ({"attribution_hours": "72"}, {"attribution_hours"}),
    ],
)
def test_a_bad_campaign_is_refused_field_by_field(client, segment_id, fields, expected):
    answer = write(client, segment_id, **fields)
    assert answer.status_code == 422, answer.get_json()
    assert set(answer.get_json()["error"]["fields"]) == expected
    assert call(client, "get", "/api/campaigns").get_json() == {"campaigns": []}


@pytest.mark.embedded
def test_the_longest_sms_that_fits_is_taken(client, segment_id):
    # 10 segments of 153 GSM-7 units, less the opt-out line and the merge field at its longest.
    assert write(client, segment_id, message={"nb": "x" * 1400, "en": "y"}).status_code == 201


@pytest.mark.embedded
def test_a_code_counts_at_its_longest_in_the_sms_length(client, config, segment_id):
    longest = max(n for n in range(1300, 1530) if sms_segments("x" * n, "nb", config.app_url) <= 10)
    code = "{code}"
    over = write(client, segment_id, message={"nb": "x" * longest + code, "en": code}, offer=MEMBER)
    assert over.status_code == 422 and set(over.get_json()["error"]["fields"]) == {"message.nb"}
    fits = {"nb": "x" * (longest - 16) + code, "en": code}
    assert write(client, segment_id, message=fits, offer=MEMBER).status_code == 201


@pytest.mark.embedded
def test_scheduling_is_refused_without_a_provider_in_the_past_or_to_nobody(
    client, rt, shop_a, shop_b, sinks, segment_id
):
    created = write(client, segment_id).get_json()
    url = f"/api/campaigns/{created['id']}/schedule"
    answer = call(client, "post", url, {"send_at": None})
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (409, "not_configured")

    use_fake_twilio(client, sinks)
    past = (utcnow() - timedelta(hours=1)).isoformat()
    for body, field in (
        ({"send_at": past}, "send_at"),
        ({"send_at": "tomorrow"}, "send_at"),
        ({}, "send_at"),
    ):
        answer = call(client, "post", url, body)
        assert answer.status_code == 422
        assert list(answer.get_json()["error"]["fields"]) == [field]

    nobody = call(
        client, "post", "/api/segments", {"name": "Ingen", "filter": {"sms_consent": False}}
    ).get_json()
    empty = write(client, nobody["id"]).get_json()
    answer = call(client, "post", f"/api/campaigns/{empty['id']}/schedule", {"send_at": None})
    assert answer.status_code == 422
    assert list(answer.get_json()["error"]["fields"]) == ["segment_id"]

    later = (utcnow() + timedelta(days=1)).isoformat()
    assert call(client, "post", url, {"send_at": later}).get_json()["state"] == "scheduled"
    assert call(client, "get", f"/api/campaigns/{created['id']}", shop=SHOP_B).status_code == 404
    assert call(client, "post", url, {"send_at": None}, shop=SHOP_B).status_code == 404


@pytest.mark.embedded
def test_campaigns_are_listed_newest_first(client, segment_id):
    first = write(client, segment_id).get_json()
    second = new_campaign(client)
    listed = call(client, "get", "/api/campaigns").get_json()["campaigns"]
    assert [c["id"] for c in listed] == [second["id"], first["id"]]
    assert "counts" not in listed[0]


@pytest.mark.embedded
def test_a_segment_a_draft_uses_cannot_be_deleted(client, segment_id):
    write(client, segment_id)
    answer = call(client, "delete", f"/api/segments/{segment_id}")
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (409, "segment_in_use")
