"""The period a report covers: whole shop-local days, parsed from ``from`` and ``to``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from loyalty.analytics.customer_counts import MAX_DAYS
from loyalty.core.errors import ValidationError
from loyalty.core.types import utcnow
from loyalty.points.ledger import local_day

DEFAULT_DAYS = 30
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Period:
    """Whole shop-local days, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> Iterator[date]:
        for offset in range(self.days):
            yield self.start + timedelta(days=offset)


def shop_today(sessions: sessionmaker[Session], shop_id: int, now: datetime | None = None) -> date:
    """Today in the shop's time zone."""
    with sessions() as session:
        return local_day(session, shop_id, now or utcnow())


def parse_period(args: Mapping[str, str], today: date) -> Period:
    """The period asked for by ``from`` and ``to`` (YYYY-MM-DD, shop-local days, inclusive).

    Either may be left out: the period is then 30 days ending ``to`` (or today), or starting
    ``from``. Raises :class:`ValidationError` naming each bad field.
    """
    problems: dict[str, str] = {}
    parsed: dict[str, date | None] = {}
    for name in ("from", "to"):
        text = args.get(name)
        if text is None or text == "":
            parsed[name] = None
            continue
        try:
            if not _ISO_DAY.fullmatch(text):
                raise ValueError(text)
            day = date.fromisoformat(text)
        except ValueError:
            problems[name] = "Enter a date as YYYY-MM-DD, for example 2026-03-01."
            continue
        parsed[name] = day
        if day > today:
            problems[name] = "Choose a day up to today."
    if problems:
        raise ValidationError(problems, "Some query parameters are not valid.")
    start, end = parsed["from"], parsed["to"]
    if start is None:
        if end is None:
            end = today
        # Never before the calendar's first day (``to=0001-01-05`` overflowed: a 500).
        start = end - timedelta(days=min(DEFAULT_DAYS - 1, (end - date.min).days))
    elif end is None:
        end = min(start + timedelta(days=DEFAULT_DAYS - 1), today)
    if start > end:
        problems["to"] = "Choose a day on or after the start of the period."
    elif (end - start).days + 1 > MAX_DAYS:
        problems["from"] = f"A period can be at most {MAX_DAYS} days long."
    if problems:
        raise ValidationError(problems, "Some query parameters are not valid.")
    return Period(start, end)
