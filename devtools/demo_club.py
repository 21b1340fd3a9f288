"""The demo shop's ways to earn beyond orders: its settings, and Kari's birthday this month.

``flask --app app dev`` calls :func:`seed_demo_club` once the demo shop's webhooks are sent: the
shop gives 250 points on the birthday (in the birthday month) and 50 for following it on each
network, 100 for the newsletter; Kari, once the worker has made her a member, gave her birthday
in the widget three months ago, and it is this month, so the birthday job (queued here, and
hourly from the scheduler) pays her, once a year however often the demo starts.
"""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from devtools.demo_data import KARI
from jobs.queueing import QueueUnavailable, enqueue
from loyalty.core.models import Member, Shop
from loyalty.core.types import utcnow
from loyalty.points.settings import update_settings
from loyalty.privacy.self_service import update_profile

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)

DEMO_SETTINGS = {
    "birthday_reward": "points",
    "birthday_points": 250,
    "birthday_timing": "month",
    "instagram_url": "https://www.instagram.com/klubbdemo",
    "facebook_url": "https://www.facebook.com/klubbdemo",
    "tiktok_url": "https://www.tiktok.com/@klubbdemo",
    "newsletter_points": 100,
}
BIRTHDAY_GIVEN_DAYS_AGO = 90


def seed_demo_club(runtime: Runtime, domain: str, *, wait_seconds: float = 60) -> bool:
    """Set the demo shop's ways to earn and Kari's birthday; whether she was found a member
    within ``wait_seconds`` (the worker enrols her from the demo's customers/create)."""
    with runtime.sessions() as s:
        shop_id = s.scalar(select(Shop.id).where(Shop.domain == domain))
    if shop_id is None:
        return False
    update_settings(runtime.sessions, shop_id, DEMO_SETTINGS, actor="demo")
    deadline = time.monotonic() + wait_seconds
    while True:
        with runtime.sessions() as s:
            birthday = s.execute(
                select(Member.birthday).where(
                    Member.shop_id == shop_id, Member.customer_id == KARI.id
                )
            ).one_or_none()
        if birthday is not None or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    if birthday is None:
        log.warning("demo club: Kari is not a member yet; no birthday set")
        return False
    if birthday[0] is None:  # the first start: later ones keep what she gave
        given = utcnow() - timedelta(days=BIRTHDAY_GIVEN_DAYS_AGO)
        today = utcnow().date()
        this_month = date(1992, today.month, today.day)  # 1992 has a 29 February too
        update_profile(
            runtime.sessions, shop_id, KARI.id, {"birthday": this_month.isoformat()}, now=given
        )
    try:
        enqueue(runtime, "webhooks", "jobs.birthdays.pay_birthdays")
    except QueueUnavailable:
        log.warning("demo club: the birthday job was not queued; the scheduler runs it hourly")
    return True
