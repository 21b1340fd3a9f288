"""Referrals as a shopper, a friend and the scheduler meet them, and reading them back."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from loyalty.core.models import LedgerEntry, Member, Referral, Shop
from tests.support.bodies import Line, order_body, refund_body
from tests.support.jobs import drain
from tests.support.shops import SHOP

REFERRER = 101
"""The referring member's customer id (``c101@example.com``, phone +47 912 34 101)."""
REFERRER_PHONE = "+4791234101"
SETTINGS: dict[str, Any] = {
    "referral_enabled": True,
    "referral_points": 500,
    "referral_discount_percent": 15,
    "referral_wait_days": 14,
    "referral_monthly_cap": 3,
}
_keys = itertools.count(1)


def signed(proxy: Any, method: str, path: str, customer_id: int | None, **kw: Any) -> Any:
    headers = dict(kw.pop("headers", None) or {})
    if method != "GET":
        headers.setdefault("Idempotency-Key", f"ref-{next(_keys)}")
        kw.setdefault("json", {})
    return proxy(method, path, customer_id=customer_id, headers=headers, **kw)


def summary(proxy: Any, customer_id: int | None, shop: str = SHOP) -> dict[str, Any]:
    answer = proxy("GET", "/proxy/api/member", customer_id=customer_id, shop=shop)
    assert answer.status_code == 200, answer.get_json()
    return dict(answer.get_json())


def join(proxy: Any, customer_id: int, shop: str = SHOP) -> dict[str, Any]:
    answer = signed(proxy, "POST", "/proxy/api/join", customer_id, shop=shop)
    assert answer.status_code == 200, answer.get_json()
    return dict(answer.get_json())


def referral_code(proxy: Any, customer_id: int = REFERRER, shop: str = SHOP) -> str:
    """The member's referral code, as the widget shows it."""
    referral = summary(proxy, customer_id, shop)["referral"]
    assert referral is not None
    return str(referral["code"])


def sign_up(
    proxy: Any,
    code: str,
    email: str,
    *,
    customer_id: int | None = None,
    shop: str = SHOP,
    consent: bool = True,
) -> Any:
    """The friend's sign-up as the widget's guest view sends it."""
    return proxy(
        "POST",
        "/proxy/api/referrals",
        customer_id=customer_id,
        shop=shop,
        json={"code": code, "email": email, "consent": consent},
        headers={"Idempotency-Key": f"ref-{next(_keys)}"},
    )


def friend_order(
    post_webhook: Any,
    app: Any,
    order_id: int,
    customer_id: int,
    placed: datetime,
    *,
    amount: str = "400.00",
    status: str = "paid",
) -> Line:
    """The friend's order, delivered as ``orders/paid`` (``orders/updated`` while unpaid) and
    processed; its one line."""
    line = Line(order_id * 10, amount)
    body = order_body(order_id, [line], customer_id=customer_id, financial_status=status)
    body["created_at"] = body["processed_at"] = placed.isoformat()
    body["updated_at"] = placed.isoformat()
    answer = post_webhook("orders/paid" if status == "paid" else "orders/updated", body)
    assert answer.status_code == 200
    drain(app)
    return line


def refund(post_webhook: Any, app: Any, order_id: int, line: Line, when: datetime) -> None:
    """A refund of the line, made at ``when``, delivered and processed."""
    body = refund_body(order_id * 10 + 1, order_id, [(line, 1)])
    body["created_at"] = body["processed_at"] = when.isoformat()
    assert post_webhook("refunds/create", body).status_code == 200
    drain(app)


def settle(app: Any, rt: Any, at: datetime) -> None:
    """The hourly job as RQ runs it, as of ``at``; then what it queued."""
    rt.queue("webhooks").enqueue("jobs.referrals.settle_referrals", at.isoformat())
    drain(app)


def referral_entries(rt: Any, customer_id: int = REFERRER) -> list[tuple[int, str]]:
    """The referrer's referral entries: (points, reason code), oldest first."""
    with rt.sessions() as s:
        rows = s.execute(
            select(LedgerEntry.points, LedgerEntry.reason_code)
            .join(Member, Member.id == LedgerEntry.member_id)
            .join(Shop, Shop.id == Member.shop_id)
            .where(
                Member.customer_id == customer_id,
                Shop.domain == SHOP,
                LedgerEntry.reason_code.like("referral%"),
            )
            .order_by(LedgerEntry.id)
        )
        return [(int(p), str(c)) for p, c in rows]


def referrals(rt: Any) -> list[Referral]:
    with rt.sessions() as s:
        return list(s.scalars(select(Referral).order_by(Referral.id)))


def days(n: float) -> timedelta:
    return timedelta(days=n)
