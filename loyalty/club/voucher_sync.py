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

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.voucher_standing import record_event
from loyalty.core.models import (
    Member,
    RewardKind,
    Shop,
    Voucher,
    VoucherEventKind,
    VoucherKind,
    VoucherState,
)
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
from loyalty.shopify.gift_card_transactions import (
    GiftCardTransactionRejected,
    credit_gift_card,
    debit_gift_card,
    find_gift_card,
    read_gift_card,
)
from loyalty.shopify.gift_cards import GiftCardRejected, GiftCardSpec, create_gift_card

MAX_STEPS = 4


@dataclass(frozen=True)
class Target:
    """A voucher and what the calls for it need, read in one short transaction."""

    id: int
    shop_domain: str
    customer_id: int
    kind: str
    amount: Decimal
    currency: str
    code: str | None
    last_characters: str | None
    qualified: bool
    state: str
    shopify_id: str | None
    in_flight: str | None
    debited: Decimal


def due() -> ColumnElement[bool]:
    """Vouchers whose state in Shopify is not yet what their spend says."""
    return or_(
        and_(Voucher.state == VoucherState.PENDING, Voucher.qualified.is_(True)),
        and_(Voucher.state == VoucherState.ACTIVE, Voucher.qualified.is_(False)),
        and_(Voucher.state == VoucherState.DISABLED, Voucher.qualified.is_(True)),
    )


def due_vouchers(
    sessions: sessionmaker[Session], *, member_id: int | None = None, limit: int = 1000
) -> list[int]:
    """Ids of vouchers to bring in line (one member's, or every shop's)."""
    query = select(Voucher.id).where(due())
    if member_id is not None:
        query = query.where(Voucher.member_id == member_id)
    with sessions() as s:
        return [int(i) for i in s.scalars(query.order_by(Voucher.id).limit(limit))]


def title_of(target: Target) -> str:
    """A voucher code's title in Shopify; its ending is how a found code is known as ours."""
    return f"{target.amount.normalize():f} {target.currency} voucher (Klubb voucher #{target.id})"


def read_target(sessions: sessionmaker[Session], voucher_id: int) -> Target | None:
    with sessions() as s:
        row = s.execute(
            select(Voucher, Member.customer_id, Shop.domain)
            .join(Member, Member.id == Voucher.member_id)
            .join(Shop, Shop.id == Voucher.shop_id)
            .where(Voucher.id == voucher_id)
        ).one_or_none()
        if row is None:
            return None
        v, customer_id, domain = row
        return Target(
            v.id,
            domain,
            int(customer_id),
            v.kind,
            v.amount,
            v.currency,
            v.code,
            v.last_characters,
            v.qualified,
            v.state,
            v.shopify_id,
            v.in_flight,
            v.debited,
        )


def _move(
    sessions: sessionmaker[Session],
    target: Target,
    now: datetime,
    events: tuple[str, ...] = (),
    detail: str | None = None,
    **values: Any,
) -> bool:
    """Change the voucher if it is still in ``target.state``; write ``events`` to its ledger."""
    with sessions.begin() as s:
        moved = s.execute(
            update(Voucher)
            .where(Voucher.id == target.id, Voucher.state == target.state)
            .values(changed_at=now, **values)
        ).rowcount  # type: ignore[attr-defined]
        if moved:
            voucher = s.get(Voucher, target.id)
            assert voucher is not None
            for kind in events:
                record_event(s, voucher, kind, voucher.spend, now, detail)
        return bool(moved)


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
        return _issue_gift_card if gift else _issue_code
    if target.state == VoucherState.ACTIVE and not target.qualified:
        return _disable_gift_card if gift else _disable_code
    if target.state == VoucherState.DISABLED and target.qualified:
        return _enable_gift_card if gift else _enable_code
    return None


def _issued(sessions: sessionmaker[Session], target: Target, shopify_id: str, now: datetime) -> str:
    _move(
        sessions,
        target,
        now,
        (VoucherEventKind.ISSUED,),
        state=VoucherState.ACTIVE,
        shopify_id=shopify_id,
        issued_at=now,
    )
    return "issued"


def _failed(
    sessions: sessionmaker[Session], target: Target, now: datetime, codes: list[str]
) -> str:
    detail = ",".join(codes)[:200] or None
    _move(sessions, target, now, (VoucherEventKind.FAILED,), detail, state=VoucherState.FAILED)
    return "failed"


def _issue_code(
    sessions: sessionmaker[Session], client: ShopifyClient, token: str, t: Target, now: datetime
) -> str:
    assert t.code is not None
    found = find_code(client, t.shop_domain, token, t.code)
    if found is not None and found.title == title_of(t):
        return _issued(sessions, t, found.id, now)
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
            return _issued(sessions, t, found.id, now)
        code = new_code()  # someone else's discount has it: ours takes another
        _move(sessions, t, now, code=code, last_characters=code[-4:])
        return "new code"
    except DiscountRejected as err:
        return _failed(sessions, t, now, err.codes)
    return _issued(sessions, t, discount_id, now)


def _issue_gift_card(
    sessions: sessionmaker[Session], client: ShopifyClient, token: str, t: Target, now: datetime
) -> str:
    assert t.code is not None
    found = find_gift_card(client, t.shop_domain, token, t.code)
    if found is not None:
        return _issued(sessions, t, found.id, now)
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
            return _issued(
                sessions, t, again.id, now
            )  # an earlier try made it; its answer was lost
        return _failed(sessions, t, now, err.codes)
    return _issued(sessions, t, card.id, now)


def _used(sessions: sessionmaker[Session], t: Target, now: datetime) -> str:
    events = (VoucherEventKind.USED, VoucherEventKind.KEPT)
    _move(sessions, t, now, events, in_flight=None, state=VoucherState.USED)
    return "used"


def _disable_code(
    sessions: sessionmaker[Session], client: ShopifyClient, token: str, t: Target, now: datetime
) -> str:
    assert t.code is not None and t.shopify_id is not None
    found = find_code(client, t.shop_domain, token, t.code)
    if found is not None and found.usage_count > 0:
        return _used(sessions, t, now)
    set_code_active(client, t.shop_domain, token, t.shopify_id, active=False)
    _move(sessions, t, now, (VoucherEventKind.DISABLED,), state=VoucherState.DISABLED)
    return "disabled"


def _enable_code(
    sessions: sessionmaker[Session], client: ShopifyClient, token: str, t: Target, now: datetime
) -> str:
    assert t.shopify_id is not None
    set_code_active(client, t.shop_domain, token, t.shopify_id, active=True)
    _move(sessions, t, now, (VoucherEventKind.ENABLED,), state=VoucherState.ACTIVE)
    return "enabled"


def _mark(sessions: sessionmaker[Session], t: Target, in_flight: str) -> Target:
    with sessions.begin() as s:
        s.execute(update(Voucher).where(Voucher.id == t.id).values(in_flight=in_flight))
    return t


def _disable_gift_card(
    sessions: sessionmaker[Session], client: ShopifyClient, token: str, t: Target, now: datetime
) -> str:
    assert t.shopify_id is not None
    card = read_gift_card(client, t.shop_domain, token, t.shopify_id)
    if card is None:
        return _failed(sessions, t, now, ["GIFT_CARD_NOT_FOUND"])
    done: dict[str, Any] = {"state": VoucherState.DISABLED, "in_flight": None}
    if t.in_flight == "debit" and card.balance == 0:
        _move(sessions, t, now, (VoucherEventKind.DISABLED,), debited=t.amount, **done)
        return "disabled"  # the debit went through; its answer was lost
    if card.balance < t.amount:
        return _used(sessions, t, now)
    _mark(sessions, t, "debit")
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
            return _used(sessions, t, now)
        raise
    _move(sessions, t, now, (VoucherEventKind.DISABLED,), debited=card.balance, **done)
    return "disabled"


def _enable_gift_card(
    sessions: sessionmaker[Session], client: ShopifyClient, token: str, t: Target, now: datetime
) -> str:
    assert t.shopify_id is not None
    card = read_gift_card(client, t.shop_domain, token, t.shopify_id)
    if card is None:
        return _failed(sessions, t, now, ["GIFT_CARD_NOT_FOUND"])
    done: dict[str, Any] = {"state": VoucherState.ACTIVE, "in_flight": None, "debited": Decimal(0)}
    if t.in_flight == "credit" and card.balance >= t.debited:
        _move(sessions, t, now, (VoucherEventKind.ENABLED,), **done)
        return "enabled"  # the credit went through; its answer was lost
    _mark(sessions, t, "credit")
    credit_gift_card(
        client,
        t.shop_domain,
        token,
        t.shopify_id,
        t.debited,
        t.currency,
        f"Klubb spend voucher #{t.id}: spend back above the threshold",
    )
    _move(sessions, t, now, (VoucherEventKind.ENABLED,), **done)
    return "enabled"


def mark_codes_used(
    sessions: sessionmaker[Session],
    shop_id: int,
    codes: Iterable[str],
    *,
    now: datetime | None = None,
) -> int:
    """An order carried these discount codes: the shop's active code vouchers among them are
    ``used`` (their ledger says so); how many."""
    now = now or utcnow()
    marked = 0
    with sessions.begin() as s:
        for voucher in s.scalars(
            select(Voucher)
            .where(
                Voucher.shop_id == shop_id,
                Voucher.kind == VoucherKind.DISCOUNT_CODE,
                Voucher.state == VoucherState.ACTIVE,
                func.upper(Voucher.code).in_([c.upper() for c in codes]),
            )
            .with_for_update()
        ):
            voucher.state, voucher.changed_at = VoucherState.USED, now
            record_event(s, voucher, VoucherEventKind.USED, voucher.spend, now)
            if not voucher.qualified:
                record_event(s, voucher, VoucherEventKind.KEPT, voucher.spend, now)
            marked += 1
    return marked
