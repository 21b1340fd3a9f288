"""Why points moved, through every way they move: a reason code on each ledger entry, and the
same words for it in the admin's member page and in the shopper's history, in English and
Norwegian.

Each entry comes from its real entry point: an order webhook (whose first order also enrols
the customer, with the signup bonus), a staff adjustment and an import through the admin's
API, a redemption through the app proxy, and expiry through the scheduled job.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import update

from jobs.redemptions import maintain_redemptions
from loyalty.core.models import Member, Redemption
from loyalty.core.types import utcnow
from loyalty.rewards import redemptions as rewards
from tests.support.bodies import Line, order_body
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.rewards import CUSTOMER, give_points
from tests.support.shops import SHOP

pytestmark = pytest.mark.embedded

ORDER = 6210000002002
ORDER_NAME = "#9999"  # the sample order's name
STRANGER = 999  # a member Shopify does not know as a customer


@pytest.fixture
def history(rt, app, shop_id, client, post_webhook, redeem, make_reward) -> str:
    """Kari's points, moved once each way; the reward's id."""
    order = order_body(ORDER, [Line(1, "650.00")], customer_id=CUSTOMER)
    assert post_webhook("orders/paid", order).status_code == 200
    drain(app)
    adjusted = client.post(
        f"/api/members/{CUSTOMER}/adjustments",
        json={"points": 50, "reason": "Pakken kom sent"},
        headers=bearer(SHOP),
    )
    assert adjusted.status_code == 201
    imported = client.post(
        "/api/imports",
        data={
            "file": (io.BytesIO(b"email,points\nkari@example.com,40\n"), "smile.csv"),
            "mode": "add",
            "dry_run": "false",
        },
        headers=bearer(SHOP),
        content_type="multipart/form-data",
    )
    assert imported.status_code == 201, imported.get_json()
    reward_id = make_reward()
    assert redeem(reward_id).status_code in (201, 202)
    drain(app)
    # A year and more without activity: the scheduled job expires what is left.
    with rt.sessions.begin() as s:
        long_ago = utcnow() - timedelta(days=400)
        s.execute(
            update(Member)
            .where(Member.shop_id == shop_id, Member.customer_id == CUSTOMER)
            .values(last_activity_at=long_ago, joined_at=long_ago)
        )
    rt.queue("webhooks").enqueue("jobs.engine.expire_points")  # as ``rq cron`` enqueues it
    drain(app)
    return reward_id


def _expected(reward_id: str, language: str) -> dict[str, tuple[str, str]]:
    """reason code → (kind, words) for Kari's history."""
    words = {
        "en": {
            "order": f"Order {ORDER_NAME}",
            "signup_bonus": "Signup bonus",
            "staff_adjustment": "Pakken kom sent",
            "import": "Imported from Smile.io",
            "reward": f"Reward {reward_id}",
            "expiry": "Expired after a period without activity",
        },
        "nb": {
            "order": f"Ordre {ORDER_NAME}",
            "signup_bonus": "Innmeldingsbonus",
            "staff_adjustment": "Pakken kom sent",
            "import": "Importert fra Smile.io",
            "reward": f"Belønning {reward_id}",
            "expiry": "Utløpt etter en periode uten aktivitet",
        },
    }[language]
    kinds = {
        "order": "earn",
        "signup_bonus": "bonus",
        "staff_adjustment": "adjust",
        "import": "import",
        "reward": "redeem",
        "expiry": "expire",
    }
    return {code: (kinds[code], words[code]) for code in kinds}


@pytest.mark.parametrize("language", ["en", "nb"])
def test_the_member_page_says_why_in_the_admins_language(client, history, language) -> None:
    answer = client.get(f"/api/members/{CUSTOMER}?locale={language}", headers=bearer(SHOP))
    assert answer.status_code == 200
    ledger = answer.get_json()["ledger"]
    assert {e["reason_code"]: (e["kind"], e["reason_label"]) for e in ledger} == _expected(
        history, language
    )
    assert len(ledger) == 6
    # ``reason`` is as stored: Klubb's fixed English text, the staff member's own words.
    assert {e["reason_code"]: e["reason"] for e in ledger} == {
        "order": f"order {ORDER}",
        "signup_bonus": "signup bonus",
        "staff_adjustment": "Pakken kom sent",
        "import": "Imported from Smile.io",
        "reward": f"reward {history}",
        "expiry": "points expired after inactivity",
    }
    params = {e["reason_code"]: e["reason_params"] for e in ledger}
    assert params["order"] == {"order_id": str(ORDER)}
    assert params["reward"] == {"reward_id": int(history)}
    assert params["import"] == {"source": "Smile.io"}


@pytest.mark.parametrize("language", ["en", "nb"])
def test_the_shoppers_history_says_why_in_the_panels_language(proxy, history, language) -> None:
    answer = proxy("GET", "/proxy/api/me", customer_id=CUSTOMER, extra={"locale": [language]})
    assert answer.status_code == 200
    rows = answer.get_json()["recent_ledger"]
    assert {e["reason_code"]: (e["kind"], e["reason_label"]) for e in rows} == _expected(
        history, language
    )
    assert len(rows) == 6
    order = next(e for e in rows if e["reason_code"] == "order")
    assert (order["order_id"], order["order_name"]) == (str(ORDER), ORDER_NAME)


def test_the_shoppers_history_follows_their_browsers_language(proxy, history) -> None:
    """Without ``locale`` (an older panel), ``Accept-Language`` decides, as on every page."""
    answer = proxy(
        "GET", "/proxy/api/me", customer_id=CUSTOMER, headers={"Accept-Language": "nb-NO,nb;q=0.9"}
    )
    labels = {e["reason_code"]: e["reason_label"] for e in answer.get_json()["recent_ledger"]}
    assert labels["signup_bonus"] == "Innmeldingsbonus"


def test_points_given_back_say_why(rt, client, proxy, redeem, shop_id, make_reward) -> None:
    """Shopify refusing the code (a customer it does not know), and a reservation a crash left
    behind, released by the periodic job."""
    give_points(rt, shop_id, STRANGER, 1000)
    assert redeem(make_reward(), customer_id=STRANGER).status_code == 502
    give_points(rt, shop_id, CUSTOMER, 1000)
    reward = int(make_reward())
    crashed, _ = rewards.reserve(rt.sessions, shop_id, CUSTOMER, reward, idempotency_key="k")
    with rt.sessions.begin() as s:
        s.execute(
            update(Redemption)
            .where(Redemption.id == crashed.id)
            .values(created_at=utcnow() - timedelta(minutes=20))
        )
    assert maintain_redemptions()["returned"] == 1

    for customer, code, english, norwegian in (
        (
            STRANGER,
            "reward_code_not_created",
            "The discount code could not be created",
            "Rabattkoden kunne ikke lages",
        ),
        (
            CUSTOMER,
            "reward_released",
            "The reserved reward was released",
            "Den reserverte belønningen ble frigitt",
        ),
    ):
        ledger = client.get(f"/api/members/{customer}", headers=bearer(SHOP)).get_json()["ledger"]
        mine = proxy("GET", "/proxy/api/me", customer_id=customer, extra={"locale": ["nb"]})
        back = mine.get_json()["recent_ledger"][0]
        assert (ledger[0]["kind"], ledger[0]["reason_code"]) == ("redeem_return", code)
        assert ledger[0]["reason_label"] == english
        assert (back["reason_code"], back["reason_label"]) == (code, norwegian)
