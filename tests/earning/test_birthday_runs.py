"""The birthday job under stress: two runs at once, a birthday code made once in Shopify even
when a job is lost or retried, and once a year whatever the shop switches to."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from jobs import birthdays as birthday_jobs
from loyalty.club import birthdays
from loyalty.core.models import BirthdayReward, ProgramSettings
from loyalty.core.types import utcnow
from loyalty.points.ledger import reconcile
from tests.earning.helpers import (
    CUSTOMERS,
    birthday_rewards,
    bonuses,
    member_with_birthday,
    run_birthdays,
    summary,
    way,
)
from tests.support.jobs import drain

OSLO = ZoneInfo("Europe/Oslo")
LONG_AGO = datetime(2024, 1, 1, tzinfo=UTC)
CODE = {"birthday_reward": "code", "birthday_discount_percent": 15, "birthday_code_days": 30}


def birthday_discounts(fake_shop):
    return [d for d in fake_shop.discounts.values() if "(Klubb birthday #" in d.title]


@pytest.mark.postgres
def test_two_runs_at_once_and_a_third_after_pay_each_member_once(app, rt, proxy, club):
    shop = club(birthday_reward="points", birthday_points=200)
    members = [
        member_with_birthday(proxy, rt, c, date(1990, 3, 1 + n % 28), LONG_AGO)
        for n, c in enumerate(CUSTOMERS)
    ]
    moment = datetime(2026, 3, 29, 12, tzinfo=OSLO)
    start = threading.Barrier(2)
    runs: list[birthdays.BirthdayRun] = []

    def run() -> None:
        start.wait()
        runs.append(birthdays.pay_birthdays(rt.sessions, now=moment))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(len(r.members_paid) for r in runs)[1] > 0
    assert sum(len(r.members_paid) for r in runs) == len(members)  # between them, once each
    run_birthdays(app, rt, moment)  # and the scheduled job after them pays nobody again
    for member_id in members:
        assert [p for p, code, _ in bonuses(rt, member_id) if code == "birthday"] == [200]
    assert reconcile(rt.sessions, shop.id) == []


@pytest.mark.embedded
def test_a_birthday_code_is_made_once_for_the_member_and_shown_in_the_widget(
    app, rt, proxy, club, fake_shopify
):
    shop = club(**CODE)
    fake_shop = fake_shopify.shop(shop.domain)
    now = utcnow()
    this_month = now.astimezone(OSLO).date().replace(year=1990, day=1)
    member = member_with_birthday(proxy, rt, 101, this_month, LONG_AGO)
    for _ in range(2):
        run_birthdays(app, rt, now)

    [discount] = birthday_discounts(fake_shop)
    [reward] = birthday_rewards(rt, member)
    assert (reward.state, reward.kind, reward.percent) == ("issued", "code", 15)
    assert discount.codes[0].code == reward.code and reward.code.startswith("BDAY-")
    assert discount.percentage == 0.15
    assert discount.usage_limit == 1 and discount.applies_once_per_customer
    assert discount.customer_ids == ["gid://shopify/Customer/101"]
    assert (
        discount.ends_at is not None and 29 <= (discount.ends_at - discount.starts_at) / 86400 <= 30
    )
    assert [code for _, code, _ in bonuses(rt, member)] == ["signup_bonus"]  # no points too

    mine = way(summary(proxy, 101), "birthday")
    assert mine is not None
    assert (mine["reward"], mine["points"], mine["discount_percent"]) == ("code", None, 15)
    assert (mine["done"], mine["code"]) == (True, reward.code)
    assert mine["code_ends_at"] == reward.ends_at.isoformat()
    export = proxy("GET", "/proxy/api/me/export.json", customer_id=101).get_json()
    assert [r["code"] for r in export["birthday_rewards"]] == [reward.code]


@pytest.mark.embedded
def test_a_lost_code_job_is_queued_again_and_a_retried_one_makes_no_second_code(
    app, rt, proxy, club, fake_shopify
):
    shop = club(**CODE)
    fake_shop = fake_shopify.shop(shop.domain)
    member = member_with_birthday(proxy, rt, 101, date(1990, 3, 9), LONG_AGO)
    moment = datetime(2026, 3, 9, 12, tzinfo=OSLO)
    drain(app)  # the join's own jobs (welcome code, balance)
    # The reward is given, but its job never reaches Redis (the domain alone, as if Redis
    # had been down when the run tried to queue it).
    birthdays.pay_birthdays(rt.sessions, now=moment)
    [pending] = birthday_rewards(rt, member)
    assert (pending.state, birthday_discounts(fake_shop)) == ("pending", [])
    run_birthdays(app, rt, moment)  # the next run queues it
    [issued] = birthday_rewards(rt, member)
    assert issued.state == "issued" and len(birthday_discounts(fake_shop)) == 1

    # A worker killed after Shopify made the code, before it was marked: the retry finds it.
    with rt.sessions.begin() as s:
        s.execute(update(BirthdayReward).values(state="pending", discount_id=None))
    birthday_jobs.enqueue_birthday_code(rt, issued.id)
    drain(app)
    [again] = birthday_rewards(rt, member)
    assert (again.state, again.discount_id) == ("issued", birthday_discounts(fake_shop)[0].gid)
    assert len(birthday_discounts(fake_shop)) == 1


@pytest.mark.embedded
def test_a_shop_switching_from_points_to_a_code_in_mid_year_gives_nobody_both(
    app, rt, proxy, club, fake_shopify
):
    shop = club(birthday_reward="points", birthday_points=200)
    member = member_with_birthday(proxy, rt, 101, date(1990, 3, 9), LONG_AGO)
    run_birthdays(app, rt, datetime(2026, 3, 9, 12, tzinfo=OSLO))
    with rt.sessions.begin() as s:
        s.execute(update(ProgramSettings).values(**CODE))
    run_birthdays(app, rt, datetime(2026, 3, 10, 12, tzinfo=OSLO))
    assert [r.kind for r in birthday_rewards(rt, member)] == ["points"]
    assert birthday_discounts(fake_shopify.shop(shop.domain)) == []
