"""A member's spend vouchers as their data: in their export, and erased with them.

The export lists every voucher with its ledger (``vouchers``, :func:`vouchers_export`): the
kind, amount, period, state and what happened when, and the code (a gift card's last
characters only: its full code is never kept once shown). Erasure (``customers/redact``,
leaving the club) drops the codes, which named the customer in Shopify, and stops vouchers not
yet made there; amounts, periods, states and dates stay, anonymous (invariant 8). The vouchers
themselves stay in Shopify, tied to the customer Shopify erases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from loyalty.club.voucher_catalogue import money_text
from loyalty.core.models import Voucher, VoucherEvent, VoucherKind, VoucherState


def vouchers_export(s: Session, member_id: int | None) -> list[dict[str, Any]]:
    """Every voucher of the member, oldest first, with its ledger."""
    if member_id is None:
        return []
    rows = list(
        s.scalars(select(Voucher).where(Voucher.member_id == member_id).order_by(Voucher.id))
    )
    events: dict[int, list[dict[str, Any]]] = {v.id: [] for v in rows}
    for e in s.scalars(
        select(VoucherEvent)
        .where(VoucherEvent.voucher_id.in_(list(events)))
        .order_by(VoucherEvent.id)
    ):
        events[e.voucher_id].append(
            {
                "kind": e.kind,
                "spend": money_text(e.spend) if e.spend is not None else None,
                "detail": e.detail,
                "created_at": e.created_at.isoformat(),
            }
        )
    return [
        {
            "id": str(v.id),
            "kind": v.kind,
            "code": v.code if v.kind == VoucherKind.DISCOUNT_CODE else None,
            "last_characters": v.last_characters,
            "amount": money_text(v.amount),
            "currency": v.currency,
            "period": v.period_key,
            "threshold": money_text(v.threshold),
            "spend": money_text(v.spend),
            "state": v.state,
            "issued_at": v.issued_at.isoformat() if v.issued_at else None,
            "ledger": events[v.id],
        }
        for v in rows
    ]


def forget_vouchers(s: Session, member_id: int) -> None:
    """Drop the member's voucher codes; a voucher not yet made in Shopify never will be."""
    s.execute(
        update(Voucher)
        .where(Voucher.member_id == member_id, Voucher.state == VoucherState.PENDING)
        .values(state=VoucherState.FAILED, qualified=False)
    )
    s.execute(
        update(Voucher)
        .where(Voucher.member_id == member_id)
        .values(code=None, last_characters=None, code_shown_at=None)
    )
