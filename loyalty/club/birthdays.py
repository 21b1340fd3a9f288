"""The birthday reward: points or a discount code, once a year, in the birthday month or on the day.

The member gives their birthday in the widget (``PATCH /proxy/api/me``, which also stamps
``Member.birthday_changed_at``). A shop that gives a birthday reward (its program settings:
``birthday_reward`` ``points`` or ``code``, ``birthday_timing`` ``month`` or ``day``) pays it
from a scheduled job (``jobs.birthdays.pay_birthdays``, hourly) in the shop's own time zone:

- **The window.** ``month``: the whole birthday month. ``day``: the birthday itself, and the
  :data:`GRACE_DAYS` after it, so a run missed on the day (the scheduler down) still pays late
  rather than never. 29 February is 28 February in other years (:func:`anniversary`).
- **No back-dating.** A birthday set, changed or cleared less than ``birthday_change_wait_days``
  (default 30) before its window opened does not pay that year: changing the birthday to today
  pays nothing until next year. A first entry waits too (otherwise joining and giving today's
  date would pay at once); a birthday given before revision 0018 (``birthday_changed_at``
  NULL) counts as given long ago.
- **Exactly once.** Each reward is a :class:`~loyalty.core.models.BirthdayReward` row under the
  key ``birthday:{customer id}:{year}``, unique per shop, inserted with ``ON CONFLICT DO
  NOTHING`` in the transaction that posts the points (ledger source key: the same text). A
  second run, a retried job or two runs at once give nothing more, and a shop that switches
  from points to a code in mid-year gives nobody both. Like the signup bonus it is once per
  customer: leaving and joining again in the same year gives no second one.
- **A code** is a one-customer, one-use percentage discount created in Shopify by a job
  (:mod:`loyalty.club.birthday_codes`); the row waits ``pending`` until it exists.

Only active members are paid (a restricted member earns nothing, as with orders).
"""

from __future__ import annotations

import calendar
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, cast, exists, extract, literal, or_, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.db import upsert
from loyalty.core.models import (
    BirthdayReward,
    BirthdayRewardKind,
    BirthdayRewardState,
    LedgerKind,
    Member,
    MemberStatus,
    ProgramSettings,
    Shop,
)
from loyalty.core.types import utcnow
from loyalty.members.enrolment import lock_member, program_settings
from loyalty.points import reasons
from loyalty.points.ledger import post, zone_of

GRACE_DAYS = 6
"""``day`` timing: days after the birthday on which a missed reward is still paid."""
CODE_PREFIX = "BDAY-"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Window:
    """Days whose birthdays are due: those of ``month`` (``days`` None: all of them) in
    ``year``, whose reward window ``opens`` on that day."""

    year: int
    month: int
    days: tuple[int, ...] | None
    opens: date


@dataclass(frozen=True)
class Rules:
    """A shop's birthday settings, read once per run."""

    reward: str
    points: int
    percent: int
    timing: str
    wait_days: int

    @classmethod
    def of(cls, settings: ProgramSettings) -> Rules:
        return cls(
            settings.birthday_reward,
            settings.birthday_points,
            settings.birthday_discount_percent,
            settings.birthday_timing,
            settings.birthday_change_wait_days,
        )


@dataclass
class BirthdayRun:
    """What a run gave: members whose balance moved, rewards whose code is to be made."""

    members_paid: list[int] = field(default_factory=list)
    codes_due: list[int] = field(default_factory=list)


def anniversary(birthday: date, year: int) -> date:
    """The birthday in ``year``: 29 February is 28 February in a year without one."""
    if (birthday.month, birthday.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return birthday.replace(year=year)


def windows(today: date, timing: str) -> list[Window]:
    """The windows open on ``today`` (the shop's date): the month, or the last few days."""
    if timing == "month":
        return [Window(today.year, today.month, None, today.replace(day=1))]
    found = []
    for back in range(GRACE_DAYS + 1):
        day = today - timedelta(days=back)
        leap_day_too = (day.month, day.day) == (2, 28) and not calendar.isleap(day.year)
        found.append(Window(day.year, day.month, (28, 29) if leap_day_too else (day.day,), day))
    return found


def window_for(birthday: date, today: date, timing: str) -> Window | None:
    """The window open on ``today`` that ``birthday`` falls in, if any."""
    for window in windows(today, timing):
        if birthday.month == window.month and (window.days is None or birthday.day in window.days):
            return window
    return None


def changed_before(window: Window, wait_days: int, zone: ZoneInfo) -> datetime:
    """The instant a birthday must have been changed before to pay in ``window``: the start of
    the day after ``window.opens - wait_days``, in the shop's time zone."""
    day = window.opens - timedelta(days=wait_days - 1)
    return datetime.combine(day, time(0), tzinfo=zone)


def eligible(changed_at: datetime | None, window: Window, wait_days: int, zone: ZoneInfo) -> bool:
    """Whether a birthday last changed at ``changed_at`` pays in ``window``."""
    return changed_at is None or changed_at < changed_before(window, wait_days, zone)


def source_key(customer_id: int, year: int) -> str:
    """The once-a-year key of a customer's birthday reward (row and ledger entry alike)."""
    return f"birthday:{customer_id}:{year}"


def new_code() -> str:
    """An unguessable birthday code: ``BDAY-`` and 10 characters from an unambiguous alphabet."""
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def giving_shops(sessions: sessionmaker[Session]) -> list[tuple[int, str, Rules]]:
    """Installed shops that give a birthday reward: (id, time zone, rules)."""
    with sessions() as s:
        rows = s.execute(
            select(Shop.id, Shop.timezone)
            .join(ProgramSettings, ProgramSettings.shop_id == Shop.id)
            .where(
                Shop.installed_at.is_not(None),
                Shop.uninstalled_at.is_(None),
                ProgramSettings.birthday_reward.in_(
                    (BirthdayRewardKind.POINTS, BirthdayRewardKind.CODE)
                ),
            )
            .order_by(Shop.id)
        ).all()
        return [(shop_id, zone, Rules.of(program_settings(s, shop_id))) for shop_id, zone in rows]


def due_members(
    sessions: sessionmaker[Session],
    shop_id: int,
    rules: Rules,
    zone: ZoneInfo,
    today: date,
    limit: int,
) -> list[int]:
    """Active members of the shop whose birthday is in a window open today, eligible and not
    yet rewarded for that year (the key's unique index answers the last part)."""
    customer = cast(Member.customer_id, String)
    due = []
    for window in windows(today, rules.timing):
        rewarded = exists().where(
            BirthdayReward.shop_id == shop_id,
            BirthdayReward.source_key == literal("birthday:") + customer + f":{window.year}",
        )
        match = [extract("month", Member.birthday) == window.month]
        if window.days is not None:
            match.append(extract("day", Member.birthday).in_(window.days))
        cutoff = changed_before(window, rules.wait_days, zone)
        due.append(
            and_(
                *match,
                or_(Member.birthday_changed_at.is_(None), Member.birthday_changed_at < cutoff),
                ~rewarded,
            )
        )
    with sessions() as s:
        return list(
            s.scalars(
                select(Member.id)
                .where(
                    Member.shop_id == shop_id,
                    Member.status == MemberStatus.ACTIVE,
                    Member.customer_id > 0,
                    Member.birthday.is_not(None),
                    or_(*due),
                )
                .order_by(Member.id)
                .limit(limit)
            )
        )


def reward_member(
    sessions: sessionmaker[Session],
    shop_id: int,
    member_id: int,
    rules: Rules,
    zone: ZoneInfo,
    now: datetime,
) -> BirthdayReward | None:
    """Give the member this year's birthday reward if it is due; the new reward, else None.

    The member's row is locked and every condition checked again under the lock, so a birthday
    changed meanwhile (or a second run) wins or loses cleanly.
    """
    today = now.astimezone(zone).date()
    with sessions.begin() as s:
        member = lock_member(s, shop_id, member_id)
        if (
            member is None
            or member.status != MemberStatus.ACTIVE
            or member.birthday is None
            or member.customer_id <= 0
        ):
            return None
        window = window_for(member.birthday, today, rules.timing)
        if window is None or not eligible(
            member.birthday_changed_at, window, rules.wait_days, zone
        ):
            return None
        key = source_key(member.customer_id, window.year)
        values: dict[str, object] = {
            "shop_id": shop_id,
            "member_id": member_id,
            "source_key": key,
            "year": window.year,
            "kind": rules.reward,
            "created_at": now,
        }
        if rules.reward == BirthdayRewardKind.POINTS:
            values.update(points=rules.points, state=BirthdayRewardState.ISSUED, issued_at=now)
        else:
            values.update(percent=rules.percent, state=BirthdayRewardState.PENDING, code=new_code())
        reward_id = s.execute(
            upsert(s, BirthdayReward)
            .on_conflict_do_nothing(index_elements=["shop_id", "source_key"])
            .values(**values)
            .returning(BirthdayReward.id)
        ).scalar_one_or_none()
        if reward_id is None:
            return None
        if rules.reward == BirthdayRewardKind.POINTS:
            post(
                s,
                shop_id=shop_id,
                member_id=member_id,
                points=rules.points,
                kind=LedgerKind.BONUS,
                source_key=key,
                reason=reasons.birthday(window.year),
                now=now,
            )
        return s.get(BirthdayReward, reward_id)


def pending_codes(sessions: sessionmaker[Session], limit: int = 1000) -> list[int]:
    """Rewards of installed shops whose code Shopify does not have yet (their job may have
    been lost with Redis)."""
    with sessions() as s:
        return list(
            s.scalars(
                select(BirthdayReward.id)
                .join(Shop, Shop.id == BirthdayReward.shop_id)
                .where(
                    BirthdayReward.state == BirthdayRewardState.PENDING,
                    Shop.installed_at.is_not(None),
                    Shop.uninstalled_at.is_(None),
                )
                .order_by(BirthdayReward.id)
                .limit(limit)
            )
        )


def pay_birthdays(
    sessions: sessionmaker[Session], *, now: datetime | None = None, limit: int = 1000
) -> BirthdayRun:
    """Give every due member of every giving shop their birthday reward (at most ``limit`` per
    shop a run; the next run goes on); the codes still to be made in Shopify."""
    now = now or utcnow()
    run = BirthdayRun()
    for shop_id, zone_name, rules in giving_shops(sessions):
        zone = zone_of(zone_name)
        today = now.astimezone(zone).date()
        for member_id in due_members(sessions, shop_id, rules, zone, today, limit):
            reward = reward_member(sessions, shop_id, member_id, rules, zone, now)
            if reward is not None and reward.kind == BirthdayRewardKind.POINTS:
                run.members_paid.append(member_id)
    run.codes_due = pending_codes(sessions)
    return run
