"""What the storefront widget shows a shopper: the program, the rewards, their own balance and
points history."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, null, or_, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.earning_actions import ways_to_earn
from loyalty.club.referral_codes import customer_referral
from loyalty.club.stamp_view import member_id_of, stamp_cards_of
from loyalty.club.tier_view import storefront_tiers
from loyalty.core.models import (
    LedgerEntry,
    Member,
    MemberStatus,
    OrderRecord,
    ProgramSettings,
    Reward,
    RewardKind,
    Shop,
    WelcomeCode,
    WidgetAppearance,
)
from loyalty.core.types import utcnow
from loyalty.members.appearance import load_appearance
from loyalty.members.voucher_lists import vouchers_json
from loyalty.points.welcome_state import welcome_json
from loyalty.shopify.store_credit import has_store_credit


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def program(
    shop: Shop, settings: ProgramSettings, appearance: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The program's public terms, as the widget explains them to guests and members.

    ``appearance`` is what the merchant saved on the admin's Widget appearance page, or None:
    then the app embed's theme-editor settings apply (docs/decisions.md, Widget).
    """
    return {
        "currency": shop.currency,
        "earn_rate": _money(settings.earn_rate),
        "signup_bonus": settings.signup_bonus,
        "welcome_discount_percent": settings.welcome_discount_percent,
        "auto_enrol": settings.auto_enrol,
        "expiry_months": settings.expiry_months,
        "appearance": appearance,
        "referral_offer": referral_offer(settings),
    }


def referral_offer(settings: ProgramSettings) -> dict[str, Any] | None:
    """What a referred friend is offered (and the referrer earns), or None: referrals off."""
    if not settings.referral_enabled:
        return None
    return {
        "discount_percent": settings.referral_discount_percent,
        "code_days": settings.referral_code_days,
        "points": settings.referral_points,
        "wait_days": settings.referral_wait_days,
    }


def active_rewards(s: Session, shop: Shop, now: datetime) -> list[dict[str, Any]]:
    """Rewards a member could redeem today, cheapest first. A paused free product is listed,
    marked, so members see why they cannot redeem it; store credit only where the shop has it."""
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
    store_credit = has_store_credit(shop.scopes)
    return [
        {
            "id": str(r.id),
            "kind": r.kind,
            "title": r.title,
            "points_cost": r.points_cost,
            "value": _money(r.value),
            "currency": shop.currency,
            "minimum_order": _money(r.minimum_order),
            "product_title": r.product_title,
            "paused": r.paused,
        }
        for r in rows
        if store_credit or r.kind != RewardKind.STORE_CREDIT
    ]


def member_summary(
    sessions: sessionmaker[Session], shop_id: int, customer_id: int | None
) -> dict[str, Any]:
    """``GET /proxy/api/member``'s answer: balance and welcome code only for a signed-in member,
    else null.

    The widget asks on every page view, so this is two queries (round trips are what it
    costs): the shop with its settings, saved appearance, the shopper's balance and welcome
    code, then the rewards; a signed-in shopper's ways to earn, done or not, are a third
    (:func:`loyalty.club.earning_actions.ways_to_earn`). ``load_appearance`` then finds the
    appearance in the session, without a query.
    """
    balance = (
        select(Member.points_balance)
        .where(
            Member.shop_id == shop_id,
            Member.customer_id == customer_id,
            Member.status != MemberStatus.ANONYMISED,
        )
        .scalar_subquery()
        if customer_id is not None
        else null()
    )
    # The signup bonus is given once per customer: one who left and comes back is not promised
    # it again (same statement, no extra round trip).
    bonus_had = (
        exists().where(
            LedgerEntry.shop_id == shop_id, LedgerEntry.source_key == f"signup:{customer_id}"
        )
        if customer_id is not None
        else null()
    )
    with sessions() as s:
        row = s.execute(
            select(Shop, ProgramSettings, WidgetAppearance, balance, bonus_had, WelcomeCode)
            .join(ProgramSettings, ProgramSettings.shop_id == Shop.id)
            .outerjoin(WidgetAppearance, WidgetAppearance.shop_id == Shop.id)
            .outerjoin(WelcomeCode, _welcome_code_of(shop_id, customer_id))
            .where(Shop.id == shop_id)
        ).first()
        assert row is not None
        shop, settings, saved, points_balance, had_bonus, welcome = row
        appearance = load_appearance(s, shop_id) if saved is not None else None
        summary = {
            "signed_in": customer_id is not None,
            "member": points_balance is not None,
            "points_balance": points_balance,
            "signup_bonus_received": bool(had_bonus),
            "program": program(shop, settings, appearance),
            "rewards": active_rewards(s, shop, utcnow()),
            "welcome_code": welcome_json(welcome),
            "ways_to_earn": ways_to_earn(s, shop, settings, customer_id),
            **storefront_tiers(s, shop_id, customer_id, shop.currency),
            **_vouchers(s, shop_id, customer_id if points_balance is not None else None),
            "stamp_cards": stamp_cards_of(
                s,
                shop_id,
                member_id_of(s, shop_id, customer_id) if points_balance is not None else None,
            ),
        }
    member = customer_id is not None and points_balance is not None
    referring = member and settings.referral_enabled
    mine = customer_referral(sessions, shop_id, customer_id) if referring and customer_id else None
    summary.update(mine or {"referral": None, "referrals": []})
    return summary


def _vouchers(s: Session, shop_id: int, customer_id: int | None) -> dict[str, Any]:
    """The signed-in member's vouchers and progress (a new gift card's code shown this once:
    committed here); for others, the rules' progress from 0."""
    member_id = None
    if customer_id is not None:
        member_id = s.scalar(
            select(Member.id).where(Member.shop_id == shop_id, Member.customer_id == customer_id)
        )
    found = vouchers_json(s, shop_id, member_id, utcnow(), reveal=True)
    s.commit()
    return found


def _welcome_code_of(shop_id: int, customer_id: int | None) -> ColumnElement[bool]:
    """Joins the signed-in member's welcome code, in the summary's one statement."""
    if customer_id is None:
        return false()
    member = select(Member.id).where(
        Member.shop_id == shop_id,
        Member.customer_id == customer_id,
        Member.status != MemberStatus.ANONYMISED,
    )
    return and_(WelcomeCode.shop_id == shop_id, WelcomeCode.member_id == member.scalar_subquery())


def recent_history(s: Session, member: Member, limit: int) -> list[dict[str, Any]]:
    """The member's newest ledger entries for ``GET /proxy/api/me``, each with its reason code
    and parameters (the widget's adapter puts them into the shopper's words) and the order's
    name as the shop knows it, when Klubb has it."""
    rows = s.execute(
        select(LedgerEntry, OrderRecord.order_name)
        .outerjoin(
            OrderRecord,
            and_(
                OrderRecord.shop_id == LedgerEntry.shop_id,
                OrderRecord.order_id == LedgerEntry.order_id,
            ),
        )
        .where(LedgerEntry.shop_id == member.shop_id, LedgerEntry.member_id == member.id)
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
        .limit(limit)
    )
    return [
        {
            "created_at": e.created_at.isoformat(),
            "kind": e.kind,
            "points": e.points,
            "reason": e.reason,
            "reason_code": e.reason_code,
            "reason_params": e.reason_params,
            "order_id": None if e.order_id is None else str(e.order_id),
            "order_name": order_name,
        }
        for e, order_name in rows
    ]
