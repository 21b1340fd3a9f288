"""The demo shop's referrals: on, and one in progress.

``flask --app app dev`` calls :func:`seed_demo_referral` after the demo club: the shop takes
referrals (15 % for the friend, 500 points for the referrer after 14 days); Nora, a friend of
Kari's, signed up through Kari's link through the app proxy, as the widget does (the app made her customer and her code in the fake
Shopify, as for any friend) and placed a paid order three days ago, so the referral waits out
its period ("Ordered, waiting" in Kari's panel and on the admin's Referrals page). A restart
finds Nora's sign-up and leaves it be.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING

import requests
from sqlalchemy import select

from devtools.demo_data import KARI, DemoCustomer
from devtools.demo_data import _order as demo_order
from jobs.queueing import QueueUnavailable, enqueue
from loyalty.club.referral_codes import ensure_code
from loyalty.core.models import Member, OrderRecord, Referral, Shop
from loyalty.core.types import utcnow
from loyalty.points.settings import update_settings
from loyalty.shopify.signatures import proxy_signature

if TYPE_CHECKING:
    from devtools.fake_shopify import FakeShopify
    from runtime import Runtime

log = logging.getLogger(__name__)

DEMO_SETTINGS = {
    "referral_enabled": True,
    "referral_points": 500,
    "referral_discount_percent": 15,
    "referral_wait_days": 14,
}
FRIEND_EMAIL = "nora.venn@example.com"
ORDER_NUMBER = 1901
ATTEMPTS = 5


def seed_demo_referral(
    runtime: Runtime, fake: FakeShopify, domain: str, app_url: str, *, wait_seconds: float = 30
) -> bool:
    """Turn referrals on and sign Nora up through Kari's link, with a paid order; whether the
    referral is there (Kari must be a member: :func:`devtools.demo_club.seed_demo_club`)."""
    with runtime.sessions.begin() as s:
        found = s.execute(
            select(Shop.id, Member.id)
            .join(Member, Member.shop_id == Shop.id)
            .where(Shop.domain == domain, Member.customer_id == KARI.id)
        ).one_or_none()
        if found is None:
            log.warning("demo referrals: Kari is not a member yet; no referral made")
            return False
        shop_id, member_id = found
        code = ensure_code(s, shop_id, member_id)
        done = s.scalar(select(Referral.id).where(Referral.friend_email == FRIEND_EMAIL))
    update_settings(runtime.sessions, shop_id, DEMO_SETTINGS, actor="demo")
    if done is not None:
        return True

    made = _sign_up(runtime, app_url, domain, code)
    if made is None:
        return False
    with runtime.sessions() as s:
        friend = s.scalar(
            select(Referral.friend_customer_id).where(Referral.friend_email == FRIEND_EMAIL)
        )
    placed = (utcnow() - timedelta(days=3)).isoformat()
    nora = DemoCustomer(int(friend or 0), "Nora", "Venn", FRIEND_EMAIL)
    order = demo_order(ORDER_NUMBER, nora, [("Ullskjerf", "499.00", 1)], placed)
    order["discount_codes"] = [{"code": made, "amount": "74.85", "type": "percentage"}]
    try:
        fake.send_webhook("orders/paid", domain, order, retry=True)
    except requests.RequestException as err:
        log.warning("demo referrals: Nora's order was not sent (%s)", type(err).__name__)
        return True
    # The worker records the order; then the settlement finds it waiting out its period (the
    # scheduler's own run came at its start, before the order).
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        with runtime.sessions() as s:
            if s.scalar(select(OrderRecord.id).where(OrderRecord.order_id == order["id"])):
                break
        time.sleep(0.25)
    try:
        enqueue(runtime, "webhooks", "jobs.referrals.settle_referrals")
    except QueueUnavailable:
        log.warning("demo referrals: the settlement was not queued; the scheduler runs it hourly")
    return True


def _sign_up(runtime: Runtime, app_url: str, domain: str, code: str) -> str | None:
    """Nora's sign-up as the widget sends it, through the app proxy (signed as Shopify signs
    it, Nora a guest); her code, or None. Retried while the busy machine does not answer: the
    same email through the same link resumes the sign-up."""
    body: dict[str, str | bool] = {"code": code, "email": FRIEND_EMAIL, "consent": True}
    key = {"Idempotency-Key": f"demo-referral-{domain}"}
    for attempt in range(ATTEMPTS):
        params: dict[str, list[str]] = {
            "shop": [domain],
            "logged_in_customer_id": [""],
            "path_prefix": ["/apps/klubb"],
            "timestamp": [str(int(time.time()))],
        }
        params["signature"] = [proxy_signature(params, runtime.config.shopify_api_secret)]
        try:
            answer = requests.post(
                f"{app_url}/proxy/api/referrals", params=params, json=body, headers=key, timeout=30
            )
        except requests.RequestException as err:
            log.warning("demo referrals: sign-up attempt %s: %s", attempt + 1, type(err).__name__)
            time.sleep(2)
            continue
        if answer.status_code == 200:
            return str(answer.json()["code"])
        log.warning("demo referrals: sign-up attempt %s: %s", attempt + 1, answer.status_code)
        if answer.status_code < 500:
            return None
        key = {"Idempotency-Key": f"demo-referral-{domain}-{attempt}"}
        time.sleep(2)
    return None
