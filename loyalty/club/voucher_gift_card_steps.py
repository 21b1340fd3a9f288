"""A gift-card voucher's steps in Shopify: issued once (looked up by our code first), paused
by ``giftCardDebit`` of its balance, restored by ``giftCardCredit`` (Shopify's
``giftCardDeactivate`` cannot be undone). A debit or credit is marked in flight before the
call, so a retry after a lost answer reads the balance to tell whether it happened; a card
already spent from is ``used`` and kept (:mod:`loyalty.club.voucher_sync`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.voucher_moves import Target, failed, issued, mark_in_flight, move, used
from loyalty.core.models import VoucherEventKind, VoucherState
from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.gift_card_transactions import (
    GiftCardTransactionRejected,
    credit_gift_card,
    debit_gift_card,
    find_gift_card,
    read_gift_card,
)
from loyalty.shopify.gift_cards import GiftCardRejected, GiftCardSpec, create_gift_card


def issue_gift_card(
    sessions: sessionmaker[Session], client: ShopifyClient, token: str, t: Target, now: datetime
) -> str:
    assert t.code is not None
    found = find_gift_card(client, t.shop_domain, token, t.code)
    if found is not None:
        return issued(sessions, t, found.id, now)
    spec = GiftCardSpec(
        customer_id=t.customer_id,
        amount=t.amount,
        currency=t.currency,
        note=f"Klubb spend voucher #{t.id}",
        code=t.code,
    )
    try:
        card = create_gift_card(client, t.shop_domain, token, spec)
    except GiftCardRejected as err:
        if "TAKEN" in err.codes and (again := find_gift_card(client, t.shop_domain, token, t.code)):
            return issued(sessions, t, again.id, now)  # an earlier try made it; its answer was lost
        return failed(sessions, t, now, err.codes)
    return issued(sessions, t, card.id, now)


def disable_gift_card(
    sessions: sessionmaker[Session], client: ShopifyClient, token: str, t: Target, now: datetime
) -> str:
    assert t.shopify_id is not None
    card = read_gift_card(client, t.shop_domain, token, t.shopify_id)
    if card is None:
        return failed(sessions, t, now, ["GIFT_CARD_NOT_FOUND"])
    done: dict[str, Any] = {"state": VoucherState.DISABLED, "in_flight": None}
    if t.in_flight == "debit" and card.balance == 0:
        move(sessions, t, now, (VoucherEventKind.DISABLED,), debited=t.amount, **done)
        return "disabled"  # the debit went through; its answer was lost
    if card.balance < t.amount:
        return used(sessions, t, now)
    mark_in_flight(sessions, t, "debit")
    try:
        debit_gift_card(
            client,
            t.shop_domain,
            token,
            t.shopify_id,
            card.balance,
            t.currency,
            f"Klubb spend voucher #{t.id}: spend refunded below the threshold",
        )
    except GiftCardTransactionRejected as err:
        if "INSUFFICIENT_FUNDS" in err.codes:  # spent between our read and the debit
            return used(sessions, t, now)
        raise
    move(sessions, t, now, (VoucherEventKind.DISABLED,), debited=card.balance, **done)
    return "disabled"


def enable_gift_card(
    sessions: sessionmaker[Session], client: ShopifyClient, token: str, t: Target, now: datetime
) -> str:
    assert t.shopify_id is not None
    card = read_gift_card(client, t.shop_domain, token, t.shopify_id)
    if card is None:
        return failed(sessions, t, now, ["GIFT_CARD_NOT_FOUND"])
    done: dict[str, Any] = {"state": VoucherState.ACTIVE, "in_flight": None, "debited": Decimal(0)}
    if t.in_flight == "credit" and card.balance >= t.debited:
        move(sessions, t, now, (VoucherEventKind.ENABLED,), **done)
        return "enabled"  # the credit went through; its answer was lost
    mark_in_flight(sessions, t, "credit")
    credit_gift_card(
        client,
        t.shop_domain,
        token,
        t.shopify_id,
        t.debited,
        t.currency,
        f"Klubb spend voucher #{t.id}: spend back above the threshold",
    )
    move(sessions, t, now, (VoucherEventKind.ENABLED,), **done)
    return "enabled"
