"""Bring a voucher in Shopify in line with what its period's spend says
(:mod:`loyalty.club.voucher_standing` keeps ``qualified``; this moves ``state``).

One voucher at a time (the job holds a lock per voucher), with no database transaction open
during a call to Shopify, each step made safe to repeat after a crash or a lost answer:

- **issue** (``pending``, qualified): the code is ours, chosen when the row was made, so the
  voucher is first looked up in Shopify by it; only if absent is it made: a one-customer,
  one-use discount code of the amount (``discountCodeBasicCreate``), or a gift card for the
  customer (``giftCardCreate`` with our code). Shopify answering ``TAKEN`` for our own
  code means an earlier try made it: it is looked up again, never made twice. Outages and
  throttling raise, so the job is retried; a refusal marks the voucher ``failed``.
- **disable** (``active``, no longer qualified): a code already used, or a gift card already
  spent from, is ``used``: nothing is clawed back and the ledger says so (``kept``).
  Otherwise the code is paused (``discountCodeDeactivate``) or the card debited of its
  balance (``giftCardDebit``; ``giftCardDeactivate`` cannot be undone).
- **enable** (``disabled``, qualified again): ``discountCodeActivate``, or ``giftCardCredit``
  of what was debited. The same voucher comes back, never a new one.

A debit or credit is marked ``in_flight`` before the call: a retry reads the card's balance to
tell whether it happened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.voucher_gift_card_steps import (
    disable_gift_card,
    enable_gift_card,
    issue_gift_card,
)
from loyalty.club.voucher_moves import Target, failed, issued, move, read_target, title_of, used
from loyalty.core.models import RewardKind, VoucherEventKind, VoucherKind, VoucherState
from loyalty.core.types import utcnow
from loyalty.rewards.discount_codes import (
    AccessToken,
    CodeSpec,
    CodeTaken,
    DiscountRejected,
    create_code,
    find_code,
    set_code_active,
)
from loyalty.rewards.redemptions import new_code
from loyalty.shopify.client import ShopifyClient

MAX_STEPS = 4


def sync_voucher(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    voucher_id: int,
    *,
    now: datetime | None = None,
) -> str:
    """Bring the voucher in line; what the last step did (``issued``, ``disabled``,
    ``enabled``, ``used``, ``failed``, ``in line``, ``gone``)."""
    outcome = "in line"
    for _ in range(MAX_STEPS):
        target = read_target(sessions, voucher_id)
        if target is None:
            return "gone"
        step = _step(target)
        if step is None:
            return outcome
        outcome = step(sessions, client, access_token(target.shop_domain), target, now or utcnow())
    return outcome


Step = Callable[[sessionmaker[Session], ShopifyClient, str, Target, datetime], str]


def _step(target: Target) -> Step | None:
    gift = target.kind == VoucherKind.GIFT_CARD
    if target.state == VoucherState.PENDING and target.qualified:
        return issue_gift_card if gift else _issue_code
    if target.state == VoucherState.ACTIVE and not target.qualified:
        return disable_gift_card if gift else _disable_code
    if target.state == VoucherState.DISABLED and target.qualified:
        return enable_gift_card if gift else _enable_code
    return None


def _issue_code(
    sessions: sessionmaker[Session], client: ShopifyClient, token: str, t: Target, now: datetime
) -> str:
    assert t.code is not None
    found = find_code(client, t.shop_domain, token, t.code)
    if found is not None and found.title == title_of(t):
        return issued(sessions, t, found.id, now)
    spec = CodeSpec(
        kind=RewardKind.FIXED_AMOUNT,
        code=t.code,
        title=title_of(t),
        customer_id=t.customer_id,
        starts_at=now,
        amount=t.amount,
    )
    try:
        discount_id = create_code(client, t.shop_domain, token, spec)
    except CodeTaken:
        found = find_code(client, t.shop_domain, token, t.code)
        if found is not None and found.title == title_of(t):
            return issued(sessions, t, found.id, now)
        code = new_code()  # someone else's discount has it: ours takes another
        move(sessions, t, now, code=code, last_characters=code[-4:])
        return "new code"
    except DiscountRejected as err:
        return failed(sessions, t, now, err.codes)
    return issued(sessions, t, discount_id, now)


def _disable_code(
    sessions: sessionmaker[Session], client: ShopifyClient, token: str, t: Target, now: datetime
) -> str:
    assert t.code is not None and t.shopify_id is not None
    found = find_code(client, t.shop_domain, token, t.code)
    if found is not None and found.usage_count > 0:
        return used(sessions, t, now)
    set_code_active(client, t.shop_domain, token, t.shopify_id, active=False)
    move(sessions, t, now, (VoucherEventKind.DISABLED,), state=VoucherState.DISABLED)
    return "disabled"


def _enable_code(
    sessions: sessionmaker[Session], client: ShopifyClient, token: str, t: Target, now: datetime
) -> str:
    assert t.shopify_id is not None
    set_code_active(client, t.shop_domain, token, t.shopify_id, active=True)
    move(sessions, t, now, (VoucherEventKind.ENABLED,), state=VoucherState.ACTIVE)
    return "enabled"
