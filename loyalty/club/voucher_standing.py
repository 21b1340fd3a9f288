"""Which vouchers a member's facts call for: issued once per rule, member and period, and
refund-aware.

Called in every settlement of a member's order (``loyalty.points.orders.settle``) after its
points, under the order's lock; it locks the member (orders first, then the member, as the
tiers do) and reads all their paid orders, so the outcome is a function of the final facts
whatever order webhooks came in (:mod:`loyalty.club.voucher_periods`):

- a period whose spend reaches a rule's threshold gets a voucher row (``pending``), once: the
  row is unique per (shop, rule, member, period) and made under the member's lock;
- each existing voucher's ``qualified`` follows its period's spend against the threshold it
  was issued at (a later change of the rule does not move it); a change is written to the
  voucher ledger (``reached``, ``fell``, or ``kept`` when the voucher was already used).

What Shopify holds is brought in line afterwards by :mod:`loyalty.club.voucher_sync` (a job
per voucher): made, disabled, enabled again. No call to Shopify happens here.

A period counts for a rule only if it ends after the rule was made (spend earlier in that
period counts). A deleted rule adds no vouchers; a restricted member gets no new ones; their
existing vouchers stay refund-aware.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.club.voucher_periods import OrderSpend, Period, spend_by_period
from loyalty.core.models import (
    Member,
    MemberStatus,
    OrderRecord,
    Voucher,
    VoucherEvent,
    VoucherEventKind,
    VoucherKind,
    VoucherRule,
    VoucherState,
)
from loyalty.points.ledger import session_shop, shop_zone
from loyalty.rewards.redemptions import new_code

RULES_KEY = "klubb.voucher_rules"
GIFT_CARD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GIFT_CARD_LENGTH = 16


@dataclass(frozen=True)
class RuleFacts:
    """A rule as the standing reads it."""

    id: int
    threshold: Decimal
    period: str
    days: int | None
    kind: str
    amount: Decimal
    created_at: datetime
    deleted: bool


def load_rules(session: Session, shop_id: int) -> list[RuleFacts]:
    """The shop's rules, deleted ones included, read once per session."""
    held: dict[int, list[RuleFacts]] = session.info.setdefault(RULES_KEY, {})
    if shop_id not in held:
        held[shop_id] = [
            RuleFacts(
                r.id,
                r.threshold,
                r.period,
                r.period_days,
                r.voucher_kind,
                r.amount,
                r.created_at,
                r.deleted_at is not None,
            )
            for r in session.scalars(
                select(VoucherRule).where(VoucherRule.shop_id == shop_id).order_by(VoucherRule.id)
            )
        ]
    return held[shop_id]


def forget_rules(session: Session, shop_id: int) -> None:
    session.info.get(RULES_KEY, {}).pop(shop_id, None)


def gift_card_code() -> str:
    """A gift card's code as Shopify accepts one: 8 to 20 letters and digits."""
    return "".join(secrets.choice(GIFT_CARD_ALPHABET) for _ in range(GIFT_CARD_LENGTH))


def spend_of(record: OrderRecord) -> OrderSpend | None:
    """What a paid, non-test order counts for (None: it counts for nothing, starts nothing)."""
    if not record.paid or record.test:
        return None
    amount = Decimal(0) if record.cancelled else record.paid_subtotal - record.refunded_subtotal
    return OrderSpend(
        record.order_id, record.ordered_at or record.created_at, max(Decimal(0), amount)
    )


def member_orders(
    session: Session, shop_id: int, member_id: int, record: OrderRecord | None = None
) -> list[OrderSpend]:
    """The member's paid, non-test orders; ``record`` (in memory, maybe newer) replaces its row."""
    found: list[OrderSpend] = []
    rows = session.scalars(
        select(OrderRecord).where(
            OrderRecord.shop_id == shop_id,
            OrderRecord.member_id == member_id,
            OrderRecord.paid.is_(True),
            OrderRecord.test.is_(False),
        )
    )
    for row in rows:
        if record is not None and row.order_id == record.order_id:
            continue
        if (each := spend_of(row)) is not None:
            found.append(each)
    if record is not None and record.member_id == member_id and (own := spend_of(record)):
        found.append(own)
    return found


def refresh_for_order(session: Session, record: OrderRecord, now: datetime) -> int:
    """After a member order's settlement: bring the member's vouchers in line with their
    facts; how many vouchers changed (0 when the shop has no rules)."""
    if record.member_id is None or not record.paid:
        return 0
    if not load_rules(session, record.shop_id):
        return 0
    return refresh_member(session, record.shop_id, record.member_id, now, record)


def refresh_member(
    session: Session,
    shop_id: int,
    member_id: int,
    now: datetime,
    record: OrderRecord | None = None,
) -> int:
    """Lock the member, read their orders, and make or update their vouchers; the count of
    vouchers made or changed."""
    rules = load_rules(session, shop_id)
    if not rules:
        return 0
    status = session.scalar(
        select(Member.status)
        .where(Member.id == member_id, Member.shop_id == shop_id)
        .with_for_update()
    )
    if status is None or status == MemberStatus.ANONYMISED:
        return 0
    zone = shop_zone(session, shop_id)
    orders = member_orders(session, shop_id, member_id, record)
    held: dict[tuple[int, str], Voucher] = {
        (v.rule_id, v.period_key): v
        for v in session.scalars(
            select(Voucher).where(Voucher.shop_id == shop_id, Voucher.member_id == member_id)
        )
    }
    shop = session_shop(session, shop_id)
    currency = shop.currency if shop is not None else "XXX"
    changed = 0
    for rule in rules:
        spends = spend_by_period(rule.period, rule.days, zone, orders)
        by_key = {p.key: (p, s) for p, s in spends.items()}
        for period, spend in spends.items():
            voucher = held.get((rule.id, period.key))
            if voucher is None and _earns(rule, period, spend, status):
                held[(rule.id, period.key)] = _issue(
                    session, shop_id, member_id, rule, period, spend, currency, now
                )
                changed += 1
        for (rule_id, key), voucher in held.items():
            if rule_id == rule.id:
                spend = by_key[key][1] if key in by_key else Decimal(0)
                changed += _follow(session, voucher, spend, now)
    return changed


def _earns(rule: RuleFacts, period: Period, spend: Decimal, status: str) -> bool:
    return (
        not rule.deleted
        and status == MemberStatus.ACTIVE
        and period.end > rule.created_at
        and spend >= rule.threshold
    )


def _issue(
    session: Session,
    shop_id: int,
    member_id: int,
    rule: RuleFacts,
    period: Period,
    spend: Decimal,
    currency: str,
    now: datetime,
) -> Voucher:
    code = gift_card_code() if rule.kind == VoucherKind.GIFT_CARD else new_code()
    voucher = Voucher(
        shop_id=shop_id,
        rule_id=rule.id,
        member_id=member_id,
        period_key=period.key,
        period_start=period.start,
        period_end=period.end,
        kind=rule.kind,
        amount=rule.amount,
        currency=currency,
        threshold=rule.threshold,
        spend=spend,
        qualified=True,
        state=VoucherState.PENDING,
        code=code,
        last_characters=code[-4:],
        debited=Decimal(0),
        created_at=now,
        changed_at=now,
    )
    session.add(voucher)
    session.flush()
    record_event(session, voucher, VoucherEventKind.REACHED, spend, now)
    return voucher


def _follow(session: Session, voucher: Voucher, spend: Decimal, now: datetime) -> int:
    """Update one voucher's period spend and whether it qualifies; 1 if that changed."""
    qualified = spend >= voucher.threshold
    if voucher.spend != spend:
        voucher.spend = spend
    if qualified == voucher.qualified:
        return 0
    voucher.qualified = qualified
    voucher.changed_at = now
    if qualified:
        kind = VoucherEventKind.REACHED
    elif voucher.state == VoucherState.USED:
        kind = VoucherEventKind.KEPT
    else:
        kind = VoucherEventKind.FELL
    record_event(session, voucher, kind, spend, now)
    return 1


def record_event(
    session: Session,
    voucher: Voucher,
    kind: str,
    spend: Decimal | None,
    now: datetime,
    detail: str | None = None,
) -> None:
    session.add(
        VoucherEvent(
            shop_id=voucher.shop_id,
            voucher_id=voucher.id,
            kind=kind,
            spend=spend,
            detail=detail,
            created_at=now,
        )
    )
