"""Free-product rewards: one unit of a chosen variant free, as a one-customer code for the
variant's price off that variant, once per order (``appliesOnEachItem: false``; a 100 %
product discount would make every unit free).

The price is Shopify's, so it is checked again before each code and by a periodic job
(:func:`check_free_products`): a deleted product pauses the reward; a changed price is followed
or pauses it, as the merchant chose (``on_price_change``). A paused reward stays in the
storefront, marked, so members see why they cannot redeem it; a member whose redemption met
the change gets the points back and is told (``reward_paused``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.errors import LoyaltyError
from loyalty.core.models import (
    PriceChange,
    Redemption,
    RedemptionState,
    Reward,
    RewardKind,
    RewardPause,
    Shop,
)
from loyalty.points import reasons
from loyalty.rewards import redemption_states as states
from loyalty.rewards.redemption_view import RedemptionView, get_redemption
from loyalty.shopify.products import VariantFacts

log = logging.getLogger(__name__)

VariantLookup = Callable[[str, int], VariantFacts | None]
"""``lookup(shop_domain, variant_id)``: the variant as Shopify has it now, None if deleted."""


def apply_facts(reward: Reward, facts: VariantFacts | None) -> str | None:
    """Bring a free-product reward in line with its variant; the pause reason, or None."""
    if facts is None:
        reward.paused = RewardPause.PRODUCT_DELETED
        return reward.paused
    reward.product_id = facts.product_id
    reward.product_title = facts.title[:255]
    if reward.value is None or reward.value.compare(facts.price) != 0:
        if reward.value is not None and reward.on_price_change == PriceChange.PAUSE:
            reward.paused = RewardPause.PRICE_CHANGED
            return reward.paused
        reward.value = facts.price
    reward.paused = None
    return None


def settle_price(
    sessions: sessionmaker[Session], view: RedemptionView, facts: VariantFacts | None
) -> RedemptionView:
    """Before a reserved free product's code: the amount is the variant's price now, or the
    reward pauses and the points come back (``returned``)."""
    with sessions.begin() as s:
        reward = s.scalar(select(Reward).where(Reward.id == view.reward_id).with_for_update())
        pause = apply_facts(reward, facts) if reward is not None else RewardPause.PRODUCT_DELETED
        if pause is None and reward is not None:
            s.execute(
                update(Redemption)
                .where(Redemption.id == view.id, Redemption.state == RedemptionState.RESERVED)
                .values(amount=reward.value)
            )
    if pause is not None:
        log.info("redemption %s: free product %s, points back", view.id, pause)
        return states.return_reservation(sessions, view.id, reasons.code_not_created(pause))
    return get_redemption(sessions, view.id)


def check_free_products(
    sessions: sessionmaker[Session], lookup: VariantLookup, *, limit: int = 500
) -> dict[str, int]:
    """Check every active, unpaused free-product reward against Shopify; counts by outcome
    (checked, paused, repriced, unreachable). A shop Shopify does not answer is tried next run."""
    with sessions() as s:
        rows = s.execute(
            select(Reward.id, Reward.variant_id, Shop.domain)
            .join(Shop, Shop.id == Reward.shop_id)
            .where(
                Reward.kind == RewardKind.FREE_PRODUCT,
                Reward.active.is_(True),
                Reward.paused.is_(None),
                Shop.uninstalled_at.is_(None),
            )
            .order_by(Reward.id)
            .limit(limit)
        ).all()
    summary: Counter[str] = Counter()
    unreachable: set[str] = set()
    for reward_id, variant_id, domain in rows:
        if domain in unreachable or variant_id is None:
            continue
        try:
            facts = lookup(domain, variant_id)
        except LoyaltyError as err:
            log.info("free products of %s not checked (%s)", domain, err.code)
            unreachable.add(domain)
            summary["unreachable"] += 1
            continue
        with sessions.begin() as s:
            reward = s.scalar(select(Reward).where(Reward.id == reward_id).with_for_update())
            if reward is None or reward.paused:
                continue
            before = reward.value
            pause = apply_facts(reward, facts)
            summary["checked"] += 1
            summary["paused"] += pause is not None
            summary["repriced"] += pause is None and before != reward.value
    return dict(summary)
