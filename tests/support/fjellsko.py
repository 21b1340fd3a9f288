"""Fjellsko, the shop the admin's browser tests open in the (fake) Shopify admin, and its members.

The admin installs it on its first load (token exchange with the fake Shopify); these helpers
then read its id and add the members the member pages show: Kari (7001) with an order's points,
and three others.
"""

from __future__ import annotations

from datetime import UTC, datetime

from loyalty.core.models import LedgerKind, Member, Shop
from loyalty.points import ledger, reasons

SHOP = "fjellsko.myshopify.com"
ORDER_ID = 5_500_000_000_123
"""The order whose points Kari earned (the member page links it to Shopify's admin)."""


def shop_id(rt):
    """Fjellsko's id in the app (once the admin has installed it)."""
    with rt.sessions() as s:
        return s.query(Shop.id).filter_by(domain=SHOP).scalar()


def add_members(rt):
    """Kari (7001, 499 points from order ``ORDER_ID``) and three others; Kari's member id."""
    with rt.sessions.begin() as s:
        sid = s.query(Shop.id).filter_by(domain=SHOP).scalar()
        kari = Member(
            shop_id=sid,
            customer_id=7001,
            first_name="Kari",
            last_name="Nordmann",
            email="kari@example.no",
            phone="+4791234567",
            email_consent=True,
            joined_at=datetime(2026, 2, 1, tzinfo=UTC),
        )
        others = [
            Member(
                shop_id=sid,
                customer_id=7100 + n,
                first_name=f"Kunde{n}",
                email=f"kunde{n}@example.no",
                joined_at=datetime(2026, 3, 1 + n, tzinfo=UTC),
            )
            for n in range(3)
        ]
        s.add_all([kari, *others])
        s.flush()
        ledger.post(
            s,
            shop_id=sid,
            member_id=kari.id,
            points=499,
            kind=LedgerKind.EARN,
            source_key="order:test",
            reason=reasons.order(ORDER_ID),
            order_id=ORDER_ID,
        )
        return kari.id
