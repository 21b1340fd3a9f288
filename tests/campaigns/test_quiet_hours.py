"""Quiet hours: the next moment a marketing SMS may go, in the shop's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from loyalty.campaigns.quiet_hours import QuietHours, next_allowed_send

NIGHT = QuietHours(time(21), time(8))
OSLO = "Europe/Oslo"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(2026, 1, 15, 12, 0), utc(2026, 1, 15, 12, 0)),  # 13:00 in Oslo: allowed
        (utc(2026, 1, 15, 19, 59), utc(2026, 1, 15, 19, 59)),  # 20:59: still allowed
        (utc(2026, 1, 15, 20, 0), utc(2026, 1, 16, 7, 0)),  # 21:00: until 08:00 tomorrow
        (utc(2026, 1, 15, 23, 30), utc(2026, 1, 16, 7, 0)),  # 00:30 after midnight
        (utc(2026, 1, 16, 6, 59), utc(2026, 1, 16, 7, 0)),  # 07:59
        (utc(2026, 1, 16, 7, 0), utc(2026, 1, 16, 7, 0)),  # 08:00 sharp: allowed
        (utc(2026, 7, 15, 19, 30), utc(2026, 7, 16, 6, 0)),  # summer: 21:30 CEST, 08:00 CEST
    ],
)
def test_a_span_over_midnight_ends_at_its_local_end(moment, expected):
    assert next_allowed_send(moment, NIGHT, OSLO) == expected


def test_a_span_within_one_day():
    lunch = QuietHours(time(11, 30), time(13))
    assert next_allowed_send(utc(2026, 1, 15, 11, 0), lunch, OSLO) == utc(2026, 1, 15, 12, 0)
    assert next_allowed_send(utc(2026, 1, 15, 12, 0), lunch, OSLO) == utc(2026, 1, 15, 12, 0)


def test_no_quiet_hours_means_now():
    assert next_allowed_send(utc(2026, 1, 15, 23, 0), None, OSLO) == utc(2026, 1, 15, 23, 0)


def test_the_night_the_clocks_go_forward():
    # 29 March 2026: 02:00 CET becomes 03:00 CEST; the night ends at 08:00 CEST = 06:00 UTC.
    assert next_allowed_send(utc(2026, 3, 28, 22, 0), NIGHT, OSLO) == utc(2026, 3, 29, 6, 0)
    # An end inside the skipped hour resolves after the gap (03:30 CEST), never inside it.
    gap = QuietHours(time(1), time(2, 30))
    assert next_allowed_send(utc(2026, 3, 29, 0, 30), gap, OSLO) == utc(2026, 3, 29, 1, 30)


def test_the_night_the_clocks_go_back():
    # 25 October 2026: 03:00 CEST becomes 02:00 CET; 08:00 CET = 07:00 UTC.
    assert next_allowed_send(utc(2026, 10, 24, 20, 0), NIGHT, OSLO) == utc(2026, 10, 25, 7, 0)
    # 02:30 happens twice: the span ends at the first.
    repeat = QuietHours(time(1), time(2, 30))
    assert next_allowed_send(utc(2026, 10, 24, 23, 30), repeat, OSLO) == utc(2026, 10, 25, 0, 30)


def test_another_time_zone():
    assert next_allowed_send(utc(2026, 1, 15, 3, 0), NIGHT, "America/New_York") == utc(
        2026, 1, 15, 13, 0
    )
