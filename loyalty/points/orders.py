"""Orders and refunds to points: store the facts, compute what the order owes now, post the rest.

Webhooks come in any order, twice, or a day late (SHOPIFY.md §4). So no handler "adds points for
a payment": each stores the facts it carries on the order's record (newer ``updated_at`` wins;
paid and cancelled, once seen, stay) or as an OrderRefund, then :func:`settle` compares what the
order owes under DESIGN.md's earning rules with what the ledger holds for it and posts the
difference. The final balance is therefore a function of the final facts (invariant 4).

Settling is serialised per order: both paths first ``INSERT`` the order's record if missing and
then lock it (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's first write takes the database's
write lock). The entry's source key ``order:{id}:{n}``, n being the number of entries the order
already has, is a backstop: a settlement that somehow raced another cannot post twice.

Each settlement also moves the daily rollups by what the order's contribution changed
(:mod:`loyalty.points.order_rollups`), and brings the member's tier and spend vouchers in line
(:mod:`loyalty.club.tier_standing`, :mod:`loyalty.club.voucher_standing`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.analytics.customer_days import customer_key
from loyalty.campaigns.points_boost import campaign_multiplier
from loyalty.club import stamp_ledger, tier_standing, voucher_standing
from loyalty.core.db import upsert
from loyalty.core.errors import LoyaltyError, NotFound
from loyalty.core.models import (
    LedgerEntry,
    LedgerKind,
    Member,
    MemberStatus,
    OrderRecord,
    OrderRefund,
    TombstoneReason,
)
from loyalty.core.money import ZERO, points_for
from loyalty.core.payloads import OrderFacts, RefundFacts, parse_id
from loyalty.core.types import utcnow
from loyalty.members.enrolment import HashKeys, get_or_enrol, program_settings, tombstone_reason
from loyalty.points import reasons
from loyalty.points.ledger import post, session_shop
from loyalty.points.order_lines import (
    line_facts,
    line_refund_facts,
    record_line_refunds,
    record_lines,
)
from loyalty.points.order_rollups import update_order_rollups

ORDER_KINDS = (LedgerKind.EARN, LedgerKind.REFUND, LedgerKind.CANCEL)


class SettlementConflict(LoyaltyError):
    """Another settlement of the same order posted first; retrying the job settles correctly."""

    code = "settlement_conflict"


def apply_order(
    sessions: sessionmaker[Session],
    shop_id: int,
    payload: Mapping[str, Any],
    *,
    hash_key: HashKeys,
    now: datetime | None = None,
    triggered_at: datetime | None = None,
) -> OrderRecord:
    """orders/create|updated|paid|cancelled: store the facts, enrol the customer, settle.

    Every topic is treated alike: the body's facts decide, not the topic's name, so an order
    created already paid earns at once and the later orders/paid posts nothing.
    ``triggered_at`` orders bodies that carry no ``updated_at``.
    """
    facts = OrderFacts.from_payload(payload)
    now = now or utcnow()
    # No autoflush: the record's changes go out as one UPDATE at commit instead of one before
    # each of the path's queries (none of which reads order_records).
    with sessions.begin() as session, session.no_autoflush:
        record = _lock_record(session, shop_id, facts.order_id)
        if _merge(record, facts, facts.updated_at or triggered_at):
            lines = line_facts(payload)
            if lines is not None:
                record_lines(session, record, lines, record.ordered_at or now)
        if record.customer_id is not None and record.member_id is None:
            reason = tombstone_reason(session, shop_id, record.customer_id, hash_key)
            if reason == TombstoneReason.REDACTED:
                record.customer_id = None  # a redacted customer's orders stay anonymous
            elif reason is None:  # one who left stays out until they join again themselves
                member = get_or_enrol(
                    session,
                    shop_id,
                    record.customer_id,
                    hash_key=hash_key,
                    now=now,
                    tombstone_checked=True,
                )
                record.member_id = member.id if member else None
        if record.customer_id is not None:
            record.customer_key = customer_key(hash_key, shop_id, record.customer_id)
        settle(session, record, now)
    _settle_later_orders(sessions, session, shop_id, now)
    return record


def apply_refund(
    sessions: sessionmaker[Session],
    shop_id: int,
    payload: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> OrderRefund:
    """refunds/create: store the refund once (by refund id), then re-settle its order.

    A refund that arrives before its order leaves a placeholder record (unpaid, so it owes
    nothing); the order's own webhook fills it in and settles with the refund counted.
    """
    order_id = parse_id(payload.get("order_id"), "order_id")
    with sessions.begin() as session:
        record = _lock_record(session, shop_id, order_id)
        facts = RefundFacts.from_payload(payload, record.gift_card_line_ids or ())
        session.execute(
            upsert(session, OrderRefund)
            .on_conflict_do_nothing(index_elements=["shop_id", "refund_id"])
            .values(
                shop_id=shop_id,
                refund_id=facts.refund_id,
                order_id=order_id,
                subtotal=facts.subtotal,
                unclassified={str(k): str(v) for k, v in facts.unclassified.items()},
                refunded_at=facts.refunded_at,
                created_at=utcnow(),
            )
        )
        record_line_refunds(session, shop_id, order_id, facts.refund_id, line_refund_facts(payload))
        settle(session, record, now or utcnow())
        refund = session.scalars(
            select(OrderRefund).where(
                OrderRefund.shop_id == shop_id, OrderRefund.refund_id == facts.refund_id
            )
        ).one()
    _settle_later_orders(sessions, session, shop_id, now or utcnow())
    return refund


def points_owed(record: OrderRecord) -> int:
    """DESIGN.md's rule: floor(rate * (paid - refunded subtotal)) while the order stands, else 0;
    the rate times the multiplier of the tier the order was placed in (loyalty.club), and a
    double-points campaign's (loyalty.campaigns.points_boost)."""
    if (
        not record.paid
        or record.cancelled
        or record.test
        or record.member_id is None
        or record.earn_blocked
        or record.earn_rate is None
    ):
        return 0
    rate = record.earn_rate * (record.tier_multiplier or 1) * (record.campaign_multiplier or 1)
    return max(0, points_for(record.paid_subtotal - record.refunded_subtotal, rate))


def settle(session: Session, record: OrderRecord, now: datetime) -> int:
    """Post what the (locked) order owes now minus what the ledger holds for it; return owed.

    A member who is not active when the order would first earn blocks it for good; one who
    became inactive after it earned keeps claw-backs but gets no more.
    """
    settings = program_settings(session, record.shop_id)
    record.refunded_subtotal = _refunded(session, record)
    if record.paid and record.earn_rate is None:
        record.earn_rate = settings.earn_rate
    count, held = session.execute(
        select(func.count(), func.coalesce(func.sum(LedgerEntry.points), 0)).where(
            LedgerEntry.shop_id == record.shop_id,
            LedgerEntry.order_id == record.order_id,
            LedgerEntry.kind.in_(ORDER_KINDS),
        )
    ).one()
    standing = tier_standing.prepare_order(session, record)
    record.campaign_multiplier = campaign_multiplier(
        session, record.shop_id, record.member_id, record.ordered_at or record.created_at
    )
    owed = points_owed(record)
    member = session.get(Member, record.member_id) if record.member_id else None
    if owed > 0 and member is not None and member.status != MemberStatus.ACTIVE:
        if count == 0:
            record.earn_blocked, owed = True, 0
        else:
            owed = min(owed, held)
    record.points_owed = owed
    delta = owed - held
    if delta and record.member_id is not None:
        earn = delta > 0
        kind = LedgerKind.EARN if earn else LedgerKind.REFUND
        if not earn and record.cancelled:
            kind = LedgerKind.CANCEL
        pending = timedelta(days=settings.pending_days)
        if not post(
            session,
            shop_id=record.shop_id,
            member_id=record.member_id,
            points=delta,
            kind=kind,
            source_key=f"order:{record.order_id}:{count}",
            reason=reasons.order(record.order_id, *_tier_words(record)),
            order_id=record.order_id,
            available_at=now + pending if earn and settings.pending_days > 0 else None,
            now=now,
        ):
            raise SettlementConflict(f"order {record.order_id} was settled concurrently")
    update_order_rollups(session, record)
    stamp_ledger.settle_stamps(session, record, now)
    if standing is not None:
        cause = "cancel" if record.cancelled else "refund" if delta < 0 else "order"
        standing.refresh(session, now, cause, record)
    voucher_standing.refresh_for_order(session, record, now)
    return owed


def _tier_words(record: OrderRecord) -> tuple[str | None, str | None]:
    """The tier and multiplier an order's entry names, when the multiplier is above 1."""
    multiplier = record.tier_multiplier
    if multiplier is None or multiplier == 1:
        return None, None
    return record.tier_name, format(multiplier.normalize(), "f")


def _settle_later_orders(
    sessions: sessionmaker[Session], settled: Session, shop_id: int, now: datetime
) -> None:
    """Settle again, each in its own transaction and in time order, the member's orders placed
    after the one just settled: the tier they were placed in is made of the facts before them."""
    for order_id in tier_standing.later_orders(settled):
        with sessions.begin() as session, session.no_autoflush:
            settle(session, _lock_record(session, shop_id, order_id), now)


def _lock_record(session: Session, shop_id: int, order_id: int) -> OrderRecord:
    """The order's record, created as a placeholder if new, locked for this transaction."""
    shop = session_shop(session, shop_id)
    if shop is None:
        raise NotFound(f"no shop {shop_id}")
    currency = shop.currency
    session.execute(
        upsert(session, OrderRecord)
        .on_conflict_do_nothing(index_elements=["shop_id", "order_id"])
        .values(shop_id=shop_id, order_id=order_id, currency=currency)
    )
    return session.scalars(
        select(OrderRecord)
        .where(OrderRecord.shop_id == shop_id, OrderRecord.order_id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _merge(record: OrderRecord, facts: OrderFacts, version: datetime | None) -> bool:
    """Take the body's facts if it is not older than those held; paid and cancelled stick.
    Whether the body was the newest (its lines are then recorded too).

    The member an order earns for is fixed once attached: a later change of the order's
    customer is recorded but moves no points.
    """
    held = record.shopify_updated_at
    newest = held is None or (version is not None and version >= held)
    if newest:
        record.customer_id = facts.customer_id
        record.currency = facts.currency or record.currency
        if facts.total is not None:
            record.total = facts.total
        if facts.paid_subtotal is not None:
            record.paid_subtotal = facts.paid_subtotal
        if facts.gift_card_line_ids is not None:
            record.gift_card_line_ids = sorted(facts.gift_card_line_ids)
        record.financial_status = facts.financial_status
        record.test = facts.test
        record.source_name = facts.source_name
        record.order_name = facts.name or record.order_name
        record.location_id = facts.location_id
        record.ordered_at = facts.ordered_at or record.ordered_at
        record.shopify_updated_at = version or held
    record.paid = record.paid or facts.paid
    record.cancelled = record.cancelled or facts.cancelled
    return newest


def _refunded(session: Session, record: OrderRecord) -> Decimal:
    """Refunded merchandise over the order's refunds, the order's gift-card lines left out."""
    gift_cards = {str(i) for i in record.gift_card_line_ids or ()}
    total = ZERO
    for subtotal, unclassified in session.execute(
        select(OrderRefund.subtotal, OrderRefund.unclassified).where(
            OrderRefund.shop_id == record.shop_id, OrderRefund.order_id == record.order_id
        )
    ):
        total += Decimal(subtotal)
        total += sum(
            (Decimal(v) for k, v in (unclassified or {}).items() if k not in gift_cards), ZERO
        )
    return total
