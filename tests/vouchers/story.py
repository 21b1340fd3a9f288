"""Orders and refunds at chosen moments, rules, and what the vouchers table holds: the vouchers
tests' vocabulary (imported by the tests; fixtures are in ``conftest.py``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from loyalty.club.voucher_catalogue import create_rule
from loyalty.core.models import Member, Voucher, VoucherEvent
from tests.support.bodies import T0, Line, order_body, refund_body
from tests.support.points import Klubb

CUSTOMER = 7001
RULE_MADE = T0 - timedelta(days=400)
"""Rules are made well before the test orders are placed."""


def rule(
    klubb: Klubb,
    threshold: str = "1000",
    *,
    period: str = "calendar_year",
    days: int | None = None,
    kind: str = "discount_code",
    amount: str = "250",
    made: datetime = RULE_MADE,
) -> int:
    """A voucher rule in the shop; its id."""
    data: dict[str, Any] = {
        "name": f"Spend {threshold}",
        "threshold": threshold,
        "period": period,
        "period_days": days,
        "voucher": {"kind": kind, "amount": amount},
    }
    return int(create_rule(klubb.sessions, klubb.shop_id, data, now=made)["id"])


def order(
    order_id: int,
    amount: str,
    placed: datetime,
    *,
    customer_id: int = CUSTOMER,
    status: str = "paid",
    cancelled: bool = False,
    updated: int = 0,
) -> dict[str, Any]:
    """An orders/* body of one line of ``amount``, placed at ``placed`` (UTC)."""
    body = order_body(
        order_id,
        [Line(order_id * 10, amount)],
        customer_id=customer_id,
        financial_status=status,
        cancelled=cancelled,
        updated_at=(placed + timedelta(minutes=updated)).isoformat(),
    )
    body["created_at"] = body["processed_at"] = placed.isoformat()
    return body


def refund(refund_id: int, order_id: int, amount: str) -> dict[str, Any]:
    """A refunds/create body taking ``amount`` of the order's one line back."""
    return refund_body(refund_id, order_id, [(Line(order_id * 10, amount), 1)])


def vouchers(klubb: Klubb, customer_id: int = CUSTOMER) -> list[Voucher]:
    """The customer's vouchers, oldest first."""
    with klubb.sessions() as s:
        return list(
            s.scalars(
                select(Voucher)
                .join(Member, Member.id == Voucher.member_id)
                .where(Member.shop_id == klubb.shop_id, Member.customer_id == customer_id)
                .order_by(Voucher.id)
            )
        )


def periods(klubb: Klubb, customer_id: int = CUSTOMER) -> dict[str, bool]:
    """``{period key: qualified}`` of the customer's vouchers."""
    return {v.period_key: v.qualified for v in vouchers(klubb, customer_id)}


def ledger(klubb: Klubb, voucher_id: int) -> list[str]:
    """The kinds of a voucher's ledger entries, oldest first."""
    with klubb.sessions() as s:
        return list(
            s.scalars(
                select(VoucherEvent.kind)
                .where(VoucherEvent.voucher_id == voucher_id)
                .order_by(VoucherEvent.id)
            )
        )


def spend(klubb: Klubb, key: str, customer_id: int = CUSTOMER) -> Decimal:
    return next(v.spend for v in vouchers(klubb, customer_id) if v.period_key == key)
