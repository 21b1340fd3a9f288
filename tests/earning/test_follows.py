"""Following the shop on Instagram, Facebook or TikTok: the merchant's profile links, the ways
the widget lists, and a follow credited once per network however it is claimed."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests
from sqlalchemy import select

from loyalty.core.config import DEMO_API_SECRET
from loyalty.core.models import LedgerEntry, ProgramSettings
from loyalty.shopify.signatures import proxy_signature
from tests.earning.helpers import SOCIAL, join, signed, summary, way
from tests.support.http import app_proxy_params, bearer
from tests.support.jobs import drain
from tests.support.shops import SHOP

GID = "gid://shopify/Customer/{}"


def claim(proxy: Any, customer_id: int, network: str, **kw: Any) -> Any:
    return signed(
        proxy, "POST", "/proxy/api/me/follows", customer_id, json={"network": network}, **kw
    )


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("instagram_url", "http://www.instagram.com/klubbtest"),
        ("instagram_url", "https://www.instagram.com.evil.example/klubbtest"),
        ("instagram_url", "https://www.instagram.com/"),
        ("instagram_url", "https://evil.example@www.instagram.com/klubbtest"),
        ("instagram_url", "https://www.instagram.com:8443/klubbtest"),
        ("instagram_url", "javascript:alert(1)//www.instagram.com/x"),
        ("instagram_url", "https://www.facebook.com/klubbtest"),
        ("instagram_url", "https://www.instagram.com/" + "k" * 250),
        ("instagram_url", "https://www.instagram.com/klubb test"),
        ("instagram_url", 42),
        ("facebook_url", "https://www.instagram.com/klubbtest"),
        ("tiktok_url", "https://tiktok.example/@klubbtest"),
        ("tiktok_points", -1),
        ("tiktok_points", 100_001),
        ("newsletter_points", "lots"),
        ("birthday_reward", "cake"),
        ("birthday_timing", "week"),
        ("birthday_points", 0),
        ("birthday_discount_percent", 101),
        ("birthday_change_wait_days", 366),
    ],
)
def test_the_settings_refuse_what_is_no_profile_link_or_no_sane_number(
    client, rt, club, field, value
):
    shop = club()
    answer = client.put("/api/settings", json={field: value}, headers=bearer(SHOP))
    assert answer.status_code == 422, answer.get_json()
    assert list(answer.get_json()["error"]["fields"]) == [field]
    with rt.sessions() as s:
        assert getattr(s.get(ProgramSettings, shop.id), field) != value


@pytest.mark.embedded
def test_the_settings_keep_profile_links_and_an_empty_one_turns_a_follow_off(client, club):
    club()
    links = {**SOCIAL, "facebook_url": " https://m.facebook.com/klubbtest ", "tiktok_points": 25}
    answer = client.put("/api/settings", json=links, headers=bearer(SHOP))
    assert answer.status_code == 200, answer.get_json()
    saved = answer.get_json()
    assert saved["facebook_url"] == "https://m.facebook.com/klubbtest"
    assert (saved["instagram_url"], saved["tiktok_points"]) == (SOCIAL["instagram_url"], 25)
    off = client.put("/api/settings", json={"tiktok_url": ""}, headers=bearer(SHOP))
    assert off.get_json()["tiktok_url"] is None


@pytest.mark.embedded
def test_a_follow_is_listed_linked_and_credited_once_per_network(
    app, rt, proxy, club, fake_shopify
):
    shop = club(**SOCIAL, tiktok_points=0)  # TikTok set, but for no points: not offered
    guest = summary(proxy, None)
    assert [w["kind"] for w in guest["ways_to_earn"]] == [
        "signup",
        "follow_instagram",
        "follow_facebook",
    ]
    assert way(guest, "follow_instagram") == {
        "kind": "follow_instagram",
        "network": "instagram",
        "network_name": "Instagram",
        "points": 50,
        "url": SOCIAL["instagram_url"],
        "done": False,
    }
    join(proxy, 101)
    first = claim(proxy, 101, "instagram", headers={"Idempotency-Key": "follow-1"})
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"network": "instagram", "points": 50, "points_balance": 150}
    replay = claim(proxy, 101, "instagram", headers={"Idempotency-Key": "follow-1"})
    assert (replay.get_json(), replay.headers.get("Idempotent-Replayed")) == (
        first.get_json(),
        "true",
    )
    again = claim(proxy, 101, "instagram")  # a second claim, another key: nothing more
    assert again.get_json() == {"network": "instagram", "points": 0, "points_balance": 150}

    mine = summary(proxy, 101)
    assert (way(mine, "follow_instagram")["done"], way(mine, "follow_facebook")["done"]) == (  # type: ignore[index]
        True,
        False,
    )
    assert way(mine, "signup")["done"] is True  # type: ignore[index]
    with rt.sessions() as s:
        entries = s.execute(
            select(LedgerEntry.points, LedgerEntry.reason_code, LedgerEntry.reason_params).where(
                LedgerEntry.source_key == "follow:instagram:101"
            )
        ).all()
    assert [tuple(e) for e in entries] == [
        (50, "social_follow", {"network": "instagram", "network_name": "Instagram"})
    ]
    drain(app)  # the balance reaches Shopify's metafield
    fake = fake_shopify.shop(shop.domain)
    assert fake.metafield(GID.format(101), "$app:loyalty", "points").value == "150"


@pytest.mark.postgres
def test_a_follow_claimed_at_once_from_many_tabs_is_credited_once(live_app, rt, proxy, club):
    """Ten requests with ten keys, at the same moment, over HTTP: one gets the points."""
    club(**SOCIAL)
    join(proxy, 101)
    start = threading.Barrier(10)
    answers: list[dict[str, Any]] = []

    def send(n: int) -> None:
        params = app_proxy_params(101)
        params["signature"] = [proxy_signature(params, DEMO_API_SECRET)]
        start.wait()
        answer = requests.post(
            f"{live_app}/proxy/api/me/follows",
            params={k: v[0] for k, v in params.items()},
            json={"network": "tiktok"},
            headers={"Idempotency-Key": f"tab-{n}"},
            timeout=30,
        )
        answers.append(answer.json())

    threads = [threading.Thread(target=send, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(a["points"] for a in answers) == [0] * 9 + [50]
    with rt.sessions() as s:
        keys = s.scalars(select(LedgerEntry.source_key).where(LedgerEntry.kind == "bonus")).all()
    assert sorted(keys) == ["follow:tiktok:101", "signup:101"]


@pytest.mark.embedded
def test_who_cannot_claim_a_follow(rt, proxy, club):
    club(**{**SOCIAL, "tiktok_url": None})
    join(proxy, 101)
    join(proxy, 102)
    assert signed(proxy, "POST", "/proxy/api/me/restriction", 102).status_code == 200

    def refused(customer_id: Any, body: Any, status: int, code: str, **kw: Any) -> None:
        answer = signed(proxy, "POST", "/proxy/api/me/follows", customer_id, json=body, **kw)
        assert answer.status_code == status, answer.get_json()
        assert answer.get_json()["error"]["code"] == code

    refused(None, {"network": "instagram"}, 401, "sign_in_required")
    refused(103, {"network": "instagram"}, 404, "not_a_member")
    refused(102, {"network": "instagram"}, 403, "earning_paused")
    refused(101, {"network": "tiktok"}, 422, "validation_failed")  # no profile set
    refused(101, {"network": "myspace"}, 422, "validation_failed")
    refused(101, {"network": "instagram", "points": 5000}, 422, "validation_failed")
    refused(
        101,
        {"network": "instagram"},
        400,
        "idempotency_key_required",
        headers={"Idempotency-Key": ""},
    )
    refused(101, {"network": "instagram", "customer_id": 102}, 403, "forbidden_customer")
    assert summary(proxy, 101)["points_balance"] == 100  # the signup bonus alone
