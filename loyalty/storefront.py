"""What the storefront widget shows a shopper: the program, the rewards, and their own balance."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.models import Member, MemberStatus, ProgramSettings, Reward, Shop
from loyalty.types import utcnow


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def program(shop: Shop, settings: ProgramSettings) -> dict[str, Any]:
    """The program's public terms, as the widget explains them to guests and members."""
    return {
        "currency": shop.currency,
        "earn_rate": _money(settings.earn_rate),
        "signup_bonus": settings.signup_bonus,
        "welcome_discount_percent": settings.welcome_discount_percent,
        "auto_enrol": settings.auto_enrol,
        "expiry_months": settings.expiry_months,
    }


def active_rewards(s: Session, shop: Shop, now: datetime) -> list[dict[str, Any]]:
    """Rewards a member could redeem today, cheapest first."""
    rows = s.scalars(
        select(Reward)
        .where(
            Reward.shop_id == shop.id,
            Reward.active.is_(True),
            or_(Reward.starts_at.is_(None), Reward.starts_at <= now),
            or_(Reward.ends_at.is_(None), Reward.ends_at > now),
        )
        .order_by(Reward.points_cost, Reward.id)
    )
    return [
        {
            "id": str(r.id),
            "kind": r.kind,
            "title": r.title,
            "points_cost": r.points_cost,
            "value": _money(r.value),
            "currency": shop.currency,
            "minimum_order": _money(r.minimum_order),
        }
        for r in rows
    ]


def member_summary(
    sessions: sessionmaker[Session], shop_id: int, customer_id: int | None
) -> dict[str, Any]:
    """``GET /proxy/api/member``'s answer: balance only for a signed-in member, else null."""
    with sessions() as s:
        shop = s.get(Shop, shop_id)
        settings = s.get(ProgramSettings, shop_id)
        assert shop is not None and settings is not None
        member = None
        if customer_id is not None:
            member = s.scalars(
                select(Member).where(
                    Member.shop_id == shop_id,
                    Member.customer_id == customer_id,
                    Member.status != MemberStatus.ANONYMISED,
                )
            ).first()
        return {
            "signed_in": customer_id is not None,
            "member": member is not None,
            "points_balance": member.points_balance if member else None,
            "program": program(shop, settings),
            "rewards": active_rewards(s, shop, utcnow()),
        }
