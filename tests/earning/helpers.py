"""Calling the club's ways to earn as a shopper and a scheduler would, and reading them back."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from loyalty.core.models import BirthdayReward, LedgerEntry, Member, Shop
from tests.support.jobs import drain
from tests.support.shops import SHOP

CUSTOMERS = range(101, 141)
"""The customers each test shop has on the fake Shopify."""
SOCIAL = {
    "instagram_url": "https://www.instagram.com/klubbtest",
    "facebook_url": "https://www.facebook.com/klubbtest",
    "tiktok_url": "https://www.tiktok.com/@klubbtest",
}
_keys = itertools.count(1)


def signed(
    proxy: Any, method: str, path: str, customer_id: int, shop: str = SHOP, **kw: Any
) -> Any:
    """A signed app-proxy call as the customer; changes get a fresh Idempotency-Key."""
    headers = dict(kw.pop("headers", None) or {})
    if method != "GET":
        headers.setdefault("Idempotency-Key", f"earn-{next(_keys)}")
        kw.setdefault("json", {})
    return proxy(method, path, customer_id=customer_id, shop=shop, headers=headers, **kw)


def join(proxy: Any, customer_id: int, shop: str = SHOP) -> dict[str, Any]:
    """The customer joins in the widget; the member summary."""
    answer = signed(proxy, "POST", "/proxy/api/join", customer_id, shop)
    assert answer.status_code == 200, answer.get_json()
    return dict(answer.get_json())


def set_birthday(proxy: Any, customer_id: int, birthday: str | None, shop: str = SHOP) -> Any:
    """``PATCH /proxy/api/me`` with the birthday, as the widget's "my data" sends it."""
    return signed(proxy, "PATCH", "/proxy/api/me", customer_id, shop, json={"birthday": birthday})


def member_with_birthday(
    proxy: Any,
    rt: Any,
    customer_id: int,
    birthday: date,
    given_at: datetime | None,
    shop: str = SHOP,
) -> int:
    """A member who joined and gave ``birthday`` in the widget at ``given_at`` (None: before
    revision 0018, when no reward depended on it); their member id."""
    join(proxy, customer_id, shop)
    answer = set_birthday(proxy, customer_id, birthday.isoformat(), shop)
    assert answer.status_code == 200, answer.get_json()
    with rt.sessions.begin() as s:
        member_id = s.scalar(
            select(Member.id)
            .join(Shop, Shop.id == Member.shop_id)
            .where(Member.customer_id == customer_id, Shop.domain == shop)
        )
        s.execute(update(Member).where(Member.id == member_id).values(birthday_changed_at=given_at))
    return int(member_id)


def run_birthdays(app: Any, rt: Any, at: datetime) -> None:
    """The scheduled job as RQ runs it, as of ``at``; then the jobs it queued (codes, syncs)."""
    rt.queue("webhooks").enqueue("jobs.birthdays.pay_birthdays", at.isoformat())
    drain(app)


def bonuses(rt: Any, member_id: int) -> list[tuple[int, str, str]]:
    """The member's bonus entries: (points, reason code, source key), oldest first."""
    with rt.sessions() as s:
        rows = s.execute(
            select(LedgerEntry.points, LedgerEntry.reason_code, LedgerEntry.source_key)
            .where(LedgerEntry.member_id == member_id, LedgerEntry.kind == "bonus")
            .order_by(LedgerEntry.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def birthday_rewards(rt: Any, member_id: int) -> list[BirthdayReward]:
    with rt.sessions() as s:
        return list(
            s.scalars(
                select(BirthdayReward)
                .where(BirthdayReward.member_id == member_id)
                .order_by(BirthdayReward.id)
            )
        )


def balance(rt: Any, member_id: int) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(Member.points_balance).where(Member.id == member_id)) or 0)


def summary(proxy: Any, customer_id: int | None, shop: str = SHOP) -> dict[str, Any]:
    answer = proxy("GET", "/proxy/api/member", customer_id=customer_id, shop=shop)
    assert answer.status_code == 200
    return dict(answer.get_json())


def way(answer: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """The way to earn of that kind in a member summary, if offered."""
    return next((w for w in answer["ways_to_earn"] if w["kind"] == kind), None)
