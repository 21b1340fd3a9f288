"""The birthday reward, end to end: members give their birthday in the widget, the scheduled job
(run as RQ runs it, as of a chosen moment) pays it once a year in the shop's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from loyalty.core.models import Member
from loyalty.core.types import utcnow
from tests.earning.helpers import (
    balance,
    birthday_rewards,
    bonuses,
    member_with_birthday,
    run_birthdays,
    set_birthday,
    summary,
    way,
)

OSLO = ZoneInfo("Europe/Oslo")
LONG_AGO = datetime(2024, 1, 1, tzinfo=UTC)
POINTS = {"birthday_reward": "points", "birthday_points": 200}


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO)


@pytest.mark.embedded
def test_points_once_in_the_birthday_month_however_often_the_job_runs(app, rt, proxy, club):
    """Month timing: paid from the first hour of the month, once, again the next year."""
    club(**POINTS)
    march = member_with_birthday(proxy, rt, 101, date(1990, 3, 15), LONG_AGO)
    april = member_with_birthday(proxy, rt, 102, date(1990, 4, 2), LONG_AGO)

    run_birthdays(app, rt, oslo(2026, 2, 28, 23, 30))  # still February in Oslo
    assert bonuses(rt, march)[1:] == []
    for moment in (oslo(2026, 3, 1, 0, 30), oslo(2026, 3, 1, 1, 30), oslo(2026, 3, 31, 23)):
        run_birthdays(app, rt, moment)
    assert bonuses(rt, march)[1:] == [(200, "birthday", "birthday:101:2026")]
    assert bonuses(rt, april)[1:] == []
    assert balance(rt, march) == 100 + 200  # the signup bonus and the birthday

    mine = way(summary(proxy, 101), "birthday")
    assert mine is not None
    assert (mine["points"], mine["timing"], mine["birthday_given"]) == (200, "month", True)
    # The job ran in 2026; the member JSON reads "this year" from today's clock.
    assert mine["done"] is (utcnow().astimezone(OSLO).year == 2026)

    run_birthdays(app, rt, oslo(2027, 3, 2, 9))
    assert [key for *_, key in bonuses(rt, march)[1:]] == ["birthday:101:2026", "birthday:101:2027"]
    assert balance(rt, march) == 100 + 400
    history = proxy("GET", "/proxy/api/me", customer_id=101, extra={"locale": ["nb"]}).get_json()
    assert "Bursdagsbelønning" in [e["reason_label"] for e in history["recent_ledger"]]


@pytest.mark.embedded
def test_on_the_day_in_the_shops_time_zone_and_a_missed_day_paid_within_the_week(
    app, rt, proxy, club
):
    club(birthday_timing="day", **POINTS)
    today = member_with_birthday(proxy, rt, 101, date(1985, 3, 15), LONG_AGO)
    five_days_ago = member_with_birthday(proxy, rt, 102, date(1985, 3, 10), LONG_AGO)
    two_weeks_ago = member_with_birthday(proxy, rt, 103, date(1985, 3, 1), LONG_AGO)
    tomorrow = member_with_birthday(proxy, rt, 104, date(1985, 3, 16), LONG_AGO)

    run_birthdays(app, rt, oslo(2026, 3, 14, 23, 59))
    assert bonuses(rt, today)[1:] == []
    run_birthdays(app, rt, oslo(2026, 3, 15, 0, 5))
    assert [p for p, *_ in bonuses(rt, today)[1:]] == [200]
    assert [p for p, *_ in bonuses(rt, five_days_ago)[1:]] == [200]  # the scheduler was down
    assert bonuses(rt, two_weeks_ago)[1:] == [] and bonuses(rt, tomorrow)[1:] == []


@pytest.mark.embedded
def test_shops_pay_on_their_own_date_auckland_before_los_angeles(app, rt, proxy, club):
    """At 12:00 UTC on 14 March it is already the 15th in Auckland, still the 14th in LA."""
    nz, la = "nz-shop.myshopify.com", "la-shop.myshopify.com"
    club(nz, timezone="Pacific/Auckland", birthday_timing="day", **POINTS)
    club(la, timezone="America/Los_Angeles", birthday_timing="day", **POINTS)
    kiwi = member_with_birthday(proxy, rt, 101, date(1992, 3, 15), LONG_AGO, shop=nz)
    angeleno = member_with_birthday(proxy, rt, 101, date(1992, 3, 15), LONG_AGO, shop=la)

    run_birthdays(app, rt, datetime(2026, 3, 14, 12, tzinfo=UTC))
    assert [p for p, *_ in bonuses(rt, kiwi)[1:]] == [200]
    assert bonuses(rt, angeleno)[1:] == []
    run_birthdays(app, rt, datetime(2026, 3, 15, 6, 59, tzinfo=UTC))  # 23:59 on the 14th in LA
    assert bonuses(rt, angeleno)[1:] == []
    run_birthdays(app, rt, datetime(2026, 3, 15, 7, 1, tzinfo=UTC))  # 00:01 on the 15th (PDT)
    assert [p for p, *_ in bonuses(rt, angeleno)[1:]] == [200]
    assert [p for p, *_ in bonuses(rt, kiwi)[1:]] == [200]


@pytest.mark.embedded
def test_the_birthday_month_begins_in_auckland_a_day_before_los_angeles(app, rt, proxy, club):
    nz, la = "nz-shop.myshopify.com", "la-shop.myshopify.com"
    club(nz, timezone="Pacific/Auckland", **POINTS)
    club(la, timezone="America/Los_Angeles", **POINTS)
    kiwi = member_with_birthday(proxy, rt, 101, date(1992, 3, 31), LONG_AGO, shop=nz)
    angeleno = member_with_birthday(proxy, rt, 101, date(1992, 3, 31), LONG_AGO, shop=la)

    run_birthdays(app, rt, datetime(2026, 2, 28, 12, tzinfo=UTC))  # 1 March 01:00 in Auckland
    assert ([p for p, *_ in bonuses(rt, kiwi)[1:]], bonuses(rt, angeleno)[1:]) == ([200], [])
    run_birthdays(app, rt, datetime(2026, 4, 1, 6, 59, tzinfo=UTC))  # 31 March 23:59 in LA
    assert [p for p, *_ in bonuses(rt, angeleno)[1:]] == [200]


@pytest.mark.embedded
@pytest.mark.parametrize("timing", ["day", "month"])
def test_a_leap_day_birthday_is_paid_on_28_february_in_other_years(app, rt, proxy, club, timing):
    club(birthday_timing=timing, **POINTS)
    leapling = member_with_birthday(proxy, rt, 101, date(2000, 2, 29), LONG_AGO)

    run_birthdays(app, rt, oslo(2027, 2, 27, 12))
    assert bonuses(rt, leapling)[1:] == (
        [] if timing == "day" else [(200, "birthday", "birthday:101:2027")]
    )
    run_birthdays(app, rt, oslo(2027, 2, 28, 0, 10))
    run_birthdays(app, rt, oslo(2027, 3, 1, 0, 10))
    assert bonuses(rt, leapling)[1:] == [(200, "birthday", "birthday:101:2027")]
    if timing == "day":  # 2028 has a 29 February: that is the day
        run_birthdays(app, rt, oslo(2028, 2, 28, 12))
        assert len(bonuses(rt, leapling)) == 2
    run_birthdays(app, rt, oslo(2028, 2, 29, 12))
    assert [key for *_, key in bonuses(rt, leapling)[1:]] == [
        "birthday:101:2027",
        "birthday:101:2028",
    ]


@pytest.mark.embedded
def test_a_birthday_changed_to_today_to_get_paid_waits_until_next_year(app, rt, proxy, club):
    """Abuse: a member (new or old) sets today as their birthday; nothing is paid this year."""
    club(birthday_timing="day", **POINTS)
    now = utcnow()
    today = now.astimezone(OSLO).date()
    newcomer = member_with_birthday(proxy, rt, 101, today.replace(year=1990), now)
    veteran = member_with_birthday(proxy, rt, 102, date(1990, 6, 1), LONG_AGO)
    assert set_birthday(proxy, 102, today.replace(year=1991).isoformat()).status_code == 200

    for _ in range(2):
        run_birthdays(app, rt, now + timedelta(minutes=1))
    assert bonuses(rt, newcomer)[1:] == [] and bonuses(rt, veteran)[1:] == []
    assert way(summary(proxy, 101), "birthday")["done"] is False  # type: ignore[index]

    next_year = now.astimezone(OSLO) + timedelta(days=366 if today.month > 2 else 365)
    run_birthdays(app, rt, next_year.replace(day=today.day, month=today.month, hour=12))
    assert [p for p, *_ in bonuses(rt, newcomer)[1:]] == [200]
    assert [p for p, *_ in bonuses(rt, veteran)[1:]] == [200]


@pytest.mark.embedded
def test_the_wait_counts_whole_days_before_the_month_opens(app, rt, proxy, club):
    """30 days before 1 March 2026 is 30 January: changed by its end pays, a minute later not."""
    club(**POINTS)
    in_time = member_with_birthday(proxy, rt, 101, date(1990, 3, 20), oslo(2026, 1, 30, 23, 59))
    too_late = member_with_birthday(proxy, rt, 102, date(1990, 3, 20), oslo(2026, 1, 31, 0, 1))
    run_birthdays(app, rt, oslo(2026, 3, 20, 12))
    assert [p for p, *_ in bonuses(rt, in_time)[1:]] == [200]
    assert bonuses(rt, too_late)[1:] == []


@pytest.mark.embedded
def test_who_gets_nothing(app, rt, proxy, club):
    """No birthday, a restricted member, a shop with the reward off, a member who left."""
    club(**POINTS)
    off = club("off-shop.myshopify.com")  # the default: no birthday reward
    restricted = member_with_birthday(proxy, rt, 101, date(1990, 3, 3), LONG_AGO)
    leaver = member_with_birthday(proxy, rt, 102, date(1990, 3, 3), LONG_AGO)
    elsewhere = member_with_birthday(proxy, rt, 103, date(1990, 3, 3), LONG_AGO, shop=off.domain)
    unset = member_with_birthday(proxy, rt, 104, date(1990, 3, 3), LONG_AGO)
    assert set_birthday(proxy, 104, None).status_code == 200
    key = {"Idempotency-Key": "r"}
    restrict = proxy("POST", "/proxy/api/me/restriction", customer_id=101, json={}, headers=key)
    assert restrict.status_code == 200
    left = proxy("DELETE", "/proxy/api/me", customer_id=102, json={"confirm": "LEAVE"}, headers=key)
    assert left.status_code == 200
    run_birthdays(app, rt, oslo(2026, 3, 3, 12))
    for member_id in (restricted, leaver, elsewhere, unset):
        assert birthday_rewards(rt, member_id) == []
    assert way(summary(proxy, 103, off.domain), "birthday") is None  # not offered


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("birthday", "status"),
    [
        ("1899-12-31", 422),
        ("1900-01-01", 200),
        ((date.today() + timedelta(days=2)).isoformat(), 422),
        ("2026-02-29", 422),
        ("15.03.1990", 422),
    ],
)
def test_a_birthday_in_the_future_or_before_1900_is_refused(rt, proxy, club, birthday, status):
    club(**POINTS)
    member = member_with_birthday(proxy, rt, 101, date(1990, 3, 3), LONG_AGO)
    answer = set_birthday(proxy, 101, birthday)
    assert answer.status_code == status, answer.get_json()
    if status == 422:
        assert list(answer.get_json()["error"]["fields"]) == ["birthday"]
    with rt.sessions() as s:
        stamped = s.get(Member, member).birthday_changed_at
    # A birthday that changed is stamped (it then waits); a refused one changes nothing.
    assert (stamped == LONG_AGO) is (status == 422)
