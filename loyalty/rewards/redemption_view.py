"""A redemption as adapters show it (:class:`RedemptionView`), read by id or by its member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.errors import NotFound
from loyalty.core.models import Member, Redemption, Reward, Shop


@dataclass(frozen=True)
class RedemptionView:
    """A redemption as adapters show it, with what the code's creation needs."""

    id: int
    shop_id: int
    shop_domain: str
    currency: str
    member_id: int
    customer_id: int
    reward_id: int | None
    reward_title: str
    kind: str
    value: Decimal | None
    minimum_order: Decimal | None
    points: int
    state: str
    code: str | None
    discount_id: str | None
    created_at: datetime
    issued_at: datetime | None
    expires_at: datetime | None
    used_at: datetime | None
    points_balance: int
    amount: Decimal | None = None  # issued: a gift card's or store credit's, a product's price
    last_characters: str | None = None  # a gift card's
    variant_id: int | None = None  # free_product
    on_price_change: str | None = None
    paused: str | None = None  # the reward's RewardPause, if it is paused now


def get_redemption(sessions: sessionmaker[Session], redemption_id: int) -> RedemptionView:
    """A redemption by id, for jobs (which carry only the id); NotFound if it is gone."""
    with sessions() as s:
        return load_view(s, redemption_id)


def member_redemption(
    sessions: sessionmaker[Session], shop_id: int, customer_id: int, redemption_id: int
) -> RedemptionView:
    """The redemption if it belongs to this shop AND this customer's member, else NotFound."""
    with sessions() as s:
        found = s.scalar(
            select(Redemption.id)
            .join(Member, Member.id == Redemption.member_id)
            .where(
                Redemption.id == redemption_id,
                Redemption.shop_id == shop_id,
                Member.shop_id == shop_id,
                Member.customer_id == customer_id,
            )
        )
        if found is None:
            raise NotFound("no such redemption")
        return load_view(s, found)


def load_view(s: Session, redemption_id: int) -> RedemptionView:
    """The redemption as adapters show it, read in the caller's session; NotFound if gone."""
    row = s.execute(
        select(Redemption, Member.customer_id, Member.points_balance, Shop.domain, Shop.currency)
        .join(Member, Member.id == Redemption.member_id)
        .join(Shop, Shop.id == Redemption.shop_id)
        .where(Redemption.id == redemption_id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound("no such redemption")
    r: Redemption = row[0]
    reward = s.get(Reward, r.reward_id) if r.reward_id is not None else None
    return RedemptionView(
        id=r.id,
        shop_id=r.shop_id,
        shop_domain=row.domain,
        currency=row.currency,
        member_id=r.member_id,
        customer_id=row.customer_id,
        reward_id=r.reward_id,
        reward_title=reward.title if reward else "Reward",
        kind=reward.kind if reward else "",
        value=reward.value if reward else None,
        minimum_order=reward.minimum_order if reward else None,
        points=r.points,
        state=r.state,
        code=r.code,
        discount_id=r.discount_id,
        created_at=r.created_at,
        issued_at=r.issued_at,
        expires_at=r.expires_at,
        used_at=r.used_at,
        points_balance=int(row.points_balance),
        amount=r.amount,
        last_characters=r.last_characters,
        variant_id=reward.variant_id if reward else None,
        on_price_change=reward.on_price_change if reward else None,
        paused=reward.paused if reward else None,
    )
