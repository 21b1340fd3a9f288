"""Spend vouchers as people see them: the member's vouchers and progress (member JSON, widget),
and the shop's issued vouchers and their liability (admin).

A member's ``vouchers`` entry (DESIGN.md, "The club and campaigns"): ``{"id", "kind", "code" |
"last_characters", "amount", "currency", "state"}`` plus ``period`` and, for a disabled one,
``reason`` (``spend_below_threshold``: refunds brought the period's spend back below the
threshold). A discount code's code is always shown; a gift card's full code only once, the
first time the member's own view (``/proxy/api/member``) shows it after issue, then only its
last characters (staff see only those). :func:`member_vouchers` returns the entries as a list so
other kinds of voucher (gift cards bought with points) can be joined to them.

``voucher_progress``: per live rule, the current period's spend and what is still missing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from loyalty.club.voucher_catalogue import money_text
from loyalty.club.voucher_periods import current_period
from loyalty.club.voucher_standing import member_orders
from loyalty.core.models import (
    Member,
    Voucher,
    VoucherKind,
    VoucherRule,
    VoucherState,
)
from loyalty.points.ledger import shop_zone

SHOWN = (VoucherState.ACTIVE, VoucherState.DISABLED, VoucherState.USED)
BELOW = "spend_below_threshold"
PERIOD_WORDS = {"calendar_month": "month", "calendar_year": "year", "rolling_days": "days"}


def _entry(v: Voucher, reveal: bool) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": str(v.id),
        "source": "spend",
        "kind": v.kind,
        "amount": money_text(v.amount),
        "currency": v.currency,
        "state": v.state,
        "period": v.period_key,
    }
    shows_code = v.kind == VoucherKind.DISCOUNT_CODE or (
        reveal and v.code and v.state == VoucherState.ACTIVE
    )
    if v.state == VoucherState.PENDING:
        pass  # not usable yet: no code to show
    elif shows_code:
        found["code"] = v.code
    else:
        found["last_characters"] = v.last_characters
    if v.state == VoucherState.DISABLED or (v.state == VoucherState.PENDING and not v.qualified):
        found["reason"] = BELOW
    return found


def member_vouchers(
    s: Session, member_id: int, *, reveal: bool = False, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The member's spend vouchers, newest first. ``reveal`` (the member's own view) shows a
    new gift card's full code this once and forgets it (the caller commits)."""
    rows = list(
        s.scalars(
            select(Voucher)
            .where(
                Voucher.member_id == member_id,
                Voucher.state.in_(SHOWN)
                | ((Voucher.state == VoucherState.PENDING) & Voucher.qualified.is_(True)),
            )
            .order_by(Voucher.id.desc())
        )
    )
    entries = [_entry(v, reveal) for v in rows]
    shown = [
        v.id
        for v in rows
        if reveal and v.kind == VoucherKind.GIFT_CARD and v.code and v.state == VoucherState.ACTIVE
    ]
    if shown:
        s.execute(update(Voucher).where(Voucher.id.in_(shown)).values(code=None, code_shown_at=now))
    return entries


def voucher_progress(
    s: Session, shop_id: int, member_id: int | None, now: datetime
) -> list[dict[str, Any]]:
    """Per live rule: the current period's spend, threshold and what is missing (a guest or
    non-member: spend 0)."""
    rules = list(
        s.scalars(
            select(VoucherRule)
            .where(VoucherRule.shop_id == shop_id, VoucherRule.deleted_at.is_(None))
            .order_by(VoucherRule.threshold, VoucherRule.id)
        )
    )
    if not rules:
        return []
    zone = shop_zone(s, shop_id)
    orders = member_orders(s, shop_id, member_id) if member_id is not None else []
    found = []
    for rule in rules:
        period = current_period(rule.period, rule.period_days, zone, orders, now)
        spent = Decimal(0)
        if period is not None:
            spent = sum((o.amount for o in orders if period.start <= o.at < period.end), spent)
        found.append(
            {
                "rule_id": str(rule.id),
                "name": rule.name,
                "period": rule.period,
                "period_days": rule.period_days,
                "threshold": money_text(rule.threshold),
                "spend": money_text(spent),
                "remaining": money_text(max(Decimal(0), rule.threshold - spent)),
                "voucher": {"kind": rule.voucher_kind, "amount": money_text(rule.amount)},
                "ends_at": period.end.isoformat() if period is not None else None,
            }
        )
    return found


def member_voucher_json(
    s: Session,
    shop_id: int,
    member_id: int | None,
    now: datetime,
    *,
    reveal: bool = False,
) -> dict[str, Any]:
    """``vouchers`` and ``voucher_progress`` for a member JSON (empty for a non-member)."""
    return {
        "vouchers": member_vouchers(s, member_id, reveal=reveal, now=now) if member_id else [],
        "voucher_progress": voucher_progress(s, shop_id, member_id, now),
    }


def shop_vouchers(s: Session, shop_id: int, limit: int = 200) -> dict[str, Any]:
    """The shop's issued vouchers (newest first, with the member and rule), counts per state,
    and the liability: what active vouchers are worth (``active``) and what disabled ones
    would be worth again if their spend came back (``disabled``)."""
    rows = s.execute(
        select(Voucher, Member.customer_id, Member.first_name, Member.last_name, VoucherRule.name)
        .join(Member, Member.id == Voucher.member_id)
        .join(VoucherRule, VoucherRule.id == Voucher.rule_id)
        .where(Voucher.shop_id == shop_id, Voucher.issued_at.is_not(None))
        .order_by(Voucher.issued_at.desc(), Voucher.id.desc())
        .limit(limit)
    ).all()
    totals = s.execute(
        select(Voucher.state, Voucher.currency, func.count(), func.sum(Voucher.amount))
        .where(Voucher.shop_id == shop_id, Voucher.issued_at.is_not(None))
        .group_by(Voucher.state, Voucher.currency)
    ).all()
    counts = {state.value: 0 for state in VoucherState if state != VoucherState.PENDING}
    worth: dict[str, Decimal] = {}
    for state, _currency, n, amount in totals:
        counts[state] = counts.get(state, 0) + int(n)
        worth[state] = worth.get(state, Decimal(0)) + Decimal(amount or 0)
    return {
        "vouchers": [
            {
                **_entry(v, reveal=False),
                "customer_id": str(customer_id),
                "member_name": " ".join(p for p in (first, last) if p) or None,
                "rule": rule_name,
                "issued_at": v.issued_at.isoformat() if v.issued_at else None,
            }
            for v, customer_id, first, last, rule_name in rows
        ],
        "counts": counts,
        "liability": {
            "active": money_text(worth.get(VoucherState.ACTIVE, Decimal(0))),
            "disabled": money_text(worth.get(VoucherState.DISABLED, Decimal(0))),
        },
    }


def liability(s: Session, shop_id: int) -> dict[str, Any]:
    """What the shop's active vouchers are worth, and how many were issued and used (the
    dashboard)."""
    totals = shop_vouchers(s, shop_id, limit=0)
    return {
        "active": totals["liability"]["active"],
        "issued": sum(totals["counts"].values()),
        "used": totals["counts"].get(VoucherState.USED, 0),
    }
