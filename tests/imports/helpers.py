"""The imports tests' files and customers, and what the tests read back after an import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from loyalty.core.models import LedgerEntry, LedgerKind, Member

FILES = Path(__file__).parent / "files"
KARI, OLA, NORA = 101, 102, 103
"""Kari is a member already; Ola and Nora are customers in Shopify whom Klubb does not know yet."""


def balances(rt: Any, shop_id: int) -> dict[int, int]:
    """Every member's balance by customer id."""
    with rt.sessions() as s:
        return dict(
            s.execute(
                select(Member.customer_id, Member.points_balance).where(Member.shop_id == shop_id)
            ).all()
        )


def import_entries(rt: Any, shop_id: int) -> list[tuple[int, int, str]]:
    """Every import ledger entry: (customer id, points, source key)."""
    with rt.sessions() as s:
        return sorted(
            s.execute(
                select(Member.customer_id, LedgerEntry.points, LedgerEntry.source_key)
                .join(Member, Member.id == LedgerEntry.member_id)
                .where(LedgerEntry.shop_id == shop_id, LedgerEntry.kind == LedgerKind.IMPORT)
            ).all()
        )


def outcomes(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    """(line, outcome, customer id, from, to, error code) of each row."""
    return [
        (
            r["line"],
            r["outcome"],
            r["customer_id"],
            r["points_from"],
            r["points_to"],
            r["error"]["code"] if r["error"] else None,
        )
        for r in body["rows"]
    ]
