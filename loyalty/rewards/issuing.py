"""Issuing a redemption's code in Shopify, and settling reservations a crash left behind.

:func:`issue_code` takes a ``reserved`` redemption to ``issued`` (or ``returned``) and is safe to
run again: a run that follows one which may have reached Shopify (a timeout) looks the code up
first and adopts it, so a redemption never gets two discounts; a discount created for a
redemption that was meanwhile returned is deleted again. No database transaction is open
during any call to Shopify. :func:`release_stale_reservations` settles reservations a crash left.
The mutations themselves are :mod:`loyalty.rewards.discount_codes`'. A gift card or store
credit is :mod:`loyalty.rewards.value_rewards`' to issue; a free product's price is settled by
:mod:`loyalty.rewards.free_products` before its code.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.errors import LoyaltyError
from loyalty.core.models import RedemptionState, RewardKind
from loyalty.core.money import quantize
from loyalty.core.types import utcnow
from loyalty.points import reasons
from loyalty.rewards import redemption_states as states
from loyalty.rewards import redemptions as rewards
from loyalty.rewards.discount_codes import (
    AccessToken,
    CodeSpec,
    CodeTaken,
    DiscountRejected,
    FoundCode,
    create_code,
    delete_code,
    find_code,
    is_transient,
)
from loyalty.rewards.free_products import settle_price
from loyalty.rewards.redemption_view import RedemptionView, get_redemption
from loyalty.rewards.redemptions import VALUE_KINDS
from loyalty.rewards.value_rewards import issue_value
from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.products import find_variant

log = logging.getLogger(__name__)

CODE_ATTEMPTS = 3


def title_for(view: RedemptionView) -> str:
    """The discount's title: the reward's, marked with the redemption it belongs to."""
    mark = f" (Klubb #{view.id})"
    return view.reward_title[: 255 - len(mark)] + mark


def spec_for(view: RedemptionView) -> CodeSpec:
    """The code discount a redemption stands for."""
    assert view.code is not None

    def money(value: Decimal | None) -> Decimal | None:
        return None if value is None else quantize(value, view.currency)

    return CodeSpec(
        kind=view.kind,
        code=view.code,
        title=title_for(view),
        customer_id=view.customer_id,
        starts_at=view.created_at,
        ends_at=view.expires_at,
        amount=(
            money(view.value)
            if view.kind == RewardKind.FIXED_AMOUNT
            else money(view.amount)
            if view.kind == RewardKind.FREE_PRODUCT
            else None
        ),
        fraction=view.value if view.kind == RewardKind.PERCENTAGE else None,
        minimum_subtotal=money(view.minimum_order),
        variant_id=view.variant_id if view.kind == RewardKind.FREE_PRODUCT else None,
    )


def issue_code(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    redemption_id: int,
    *,
    look_first: bool,
    give_up: bool,
    now: datetime | None = None,
) -> RedemptionView:
    """Create a ``reserved`` redemption's code in Shopify; the redemption afterwards.

    ``issued`` on success; still ``reserved`` when Shopify may succeed later and ``give_up`` is
    False (the caller retries); ``returned``, points back, when Shopify refuses or ``give_up``.
    ``look_first``: an earlier attempt may have created the code, so look it up before creating.
    A redemption that is not ``reserved`` is returned as it is.
    """
    view = get_redemption(sessions, redemption_id)
    if view.state != RedemptionState.RESERVED:
        return view
    if view.kind in VALUE_KINDS:
        return issue_value(sessions, client, access_token, view, give_up=give_up, now=now)
    try:
        token = access_token(view.shop_domain)
        if view.kind == RewardKind.FREE_PRODUCT and view.amount is None:
            variant = view.variant_id
            facts = find_variant(client, view.shop_domain, token, variant) if variant else None
            view = settle_price(sessions, view, facts)
            if view.state != RedemptionState.RESERVED:
                return view
        discount_id = _create_or_adopt(sessions, client, token, view, look_first)
    except LoyaltyError as err:
        if is_transient(err) and not give_up:
            log.info("redemption %s: Shopify not ready (%s), later", redemption_id, err.code)
            return get_redemption(sessions, redemption_id)
        log.warning("redemption %s: code not created (%s), points back", redemption_id, err.code)
        return states.return_reservation(
            sessions, redemption_id, reasons.code_not_created(err.code)
        )
    after, changed = states.confirm_issued(sessions, redemption_id, discount_id, now)
    if not changed and after.discount_id != discount_id:
        # Released or returned meanwhile: nobody paid for this discount.
        _delete_quietly(client, view.shop_domain, token, discount_id)
    return after


def _create_or_adopt(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    token: str,
    view: RedemptionView,
    look_first: bool,
) -> str:
    for attempt in range(CODE_ATTEMPTS):
        if look_first or attempt:
            found = find_code(client, view.shop_domain, token, view.code or "")
            if found is not None and _is_ours(found, view):
                return found.id
            if found is not None:
                view = states.change_code(sessions, view.id, rewards.new_code())
        try:
            return create_code(client, view.shop_domain, token, spec_for(view))
        except CodeTaken:
            continue
    raise DiscountRejected(f"no free code after {CODE_ATTEMPTS} attempts", ["TAKEN"])


def _is_ours(found: FoundCode, view: RedemptionView) -> bool:
    return found.title.endswith(f"(Klubb #{view.id})")


def _delete_quietly(client: ShopifyClient, shop: str, token: str, discount_id: str) -> None:
    try:
        delete_code(client, shop, token, discount_id)
    except LoyaltyError as err:
        log.warning("orphan discount on %s not deleted (%s)", shop, err.code)


def release_stale_reservations(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    *,
    older_than: timedelta,
    give_up_after: timedelta = timedelta(hours=24),
    now: datetime | None = None,
    limit: int = 100,
) -> dict[str, int]:
    """Settle redemptions left ``reserved`` longer than ``older_than`` (a crash, lost jobs).

    Each one's code is looked up in Shopify first: found, it is ``issued`` (the shopper sees
    it when polling); not found, the points come back. While a shop's Shopify does not answer
    its reservations wait for the next run, up to ``give_up_after``; then the points come back.
    Counts by outcome: issued, returned, waiting.
    """
    now = now or utcnow()
    summary: Counter[str] = Counter()
    unreachable: set[str] = set()
    for redemption_id in states.stale_reservations(sessions, older_than, now=now, limit=limit):
        view = get_redemption(sessions, redemption_id)
        overdue = view.created_at < now - give_up_after
        if view.state != RedemptionState.RESERVED:
            continue
        if view.kind in VALUE_KINDS:
            # Nothing to look up: a gift card or store credit cannot be found by our key.
            after = states.return_reservation(sessions, redemption_id, reasons.REWARD_RELEASED, now)
            summary["returned"] += after.state == RedemptionState.RETURNED
            continue
        if view.shop_domain in unreachable and not overdue:
            summary["waiting"] += 1
            continue
        found = None
        try:
            token = access_token(view.shop_domain)
            found = find_code(client, view.shop_domain, token, view.code or "")
        except LoyaltyError as err:
            if is_transient(err) and not overdue:
                unreachable.add(view.shop_domain)
                summary["waiting"] += 1
                continue
        if found is not None and _is_ours(found, view):
            _, changed = states.confirm_issued(sessions, redemption_id, found.id, now)
            summary["issued"] += changed
        else:
            after = states.return_reservation(sessions, redemption_id, reasons.REWARD_RELEASED, now)
            summary["returned"] += after.state == RedemptionState.RETURNED
    return dict(summary)
