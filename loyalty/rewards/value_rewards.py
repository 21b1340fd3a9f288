"""Issuing the rewards that are value in Shopify rather than a discount code: a gift card
(``giftCardCreate``) or store credit (``storeCreditAccountCredit``).

Neither Shopify call is idempotent, and neither can be looked up afterwards by a key of ours.
So, unlike a discount code, a call that timed out (it may have succeeded) is not tried again:
the points come back and a warning names the redemption for the merchant to check
(docs/decisions.md, Session 9). A gift card or store credit, once issued, cannot be returned for
points: Shopify has no way to take a gift card's value back once the member may have spent it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.errors import LoyaltyError
from loyalty.core.models import RedemptionState, RewardKind
from loyalty.core.money import quantize
from loyalty.points import reasons
from loyalty.rewards import redemption_states as states
from loyalty.rewards.discount_codes import AccessToken, is_transient
from loyalty.rewards.redemption_view import RedemptionView, get_redemption
from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.errors import ShopifyTimeout
from loyalty.shopify.gift_cards import GiftCardSpec, create_gift_card
from loyalty.shopify.store_credit import credit_customer

log = logging.getLogger(__name__)


def issue_value(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    view: RedemptionView,
    *,
    give_up: bool,
    now: datetime | None = None,
) -> RedemptionView:
    """Issue a ``reserved`` gift card or store credit; the redemption afterwards.

    ``issued`` on success; still ``reserved`` when Shopify was not reached and ``give_up`` is
    False; ``returned``, points back, when Shopify refuses, may have acted (a timeout), or
    ``give_up``.
    """
    if view.state != RedemptionState.RESERVED or view.amount is None:
        return view
    amount = quantize(view.amount, view.currency)
    code = last = None
    try:
        token = access_token(view.shop_domain)
        if view.kind == RewardKind.GIFT_CARD:
            expires = view.expires_at.date() if view.expires_at else None
            spec = GiftCardSpec(
                view.customer_id, amount, view.currency, f"Klubb #{view.id}", expires
            )
            card = create_gift_card(client, view.shop_domain, token, spec)
            shopify_id, code, last = card.id, card.code, card.last_characters
        else:
            shopify_id = credit_customer(
                client,
                view.shop_domain,
                token,
                customer_id=view.customer_id,
                amount=amount,
                currency=view.currency,
            )
    except LoyaltyError as err:
        unsure = isinstance(err, ShopifyTimeout)
        if is_transient(err) and not unsure and not give_up:
            log.info("redemption %s: Shopify not ready (%s), later", view.id, err.code)
            return get_redemption(sessions, view.id)
        if unsure:
            log.warning(
                "redemption %s: %s timed out; check Shopify, points back", view.id, view.kind
            )
        else:
            log.warning(
                "redemption %s: %s not issued (%s), points back", view.id, view.kind, err.code
            )
        return states.return_reservation(sessions, view.id, reasons.code_not_created(err.code))
    after, changed = states.confirm_value_issued(
        sessions, view.id, shopify_id, code=code, last_characters=last, now=now
    )
    if not changed:
        log.warning("redemption %s: %s issued after its points came back", view.id, view.kind)
    return after
