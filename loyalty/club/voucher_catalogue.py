"""The merchant's spend-threshold voucher rules (``/api/voucher-rules``): list, create, change,
delete, each audited (``vouchers.update``).

A change applies to vouchers issued from then on: one already issued keeps its amount and the
threshold it was issued at. Deleting a rule stops new vouchers; those issued stay, refund-aware.
After any change :func:`refresh_shop` (a job) looks at every member with paid orders again, so
a new rule gives the vouchers the current period's spend already earns.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.tier_catalogue import locked_shop
from loyalty.club.voucher_rules import MAX_RULES, validate_rule
from loyalty.club.voucher_standing import refresh_member
from loyalty.core.errors import NotFound, ValidationError
from loyalty.core.models import OrderRecord, Voucher, VoucherRule
from loyalty.core.types import utcnow
from loyalty.privacy import audit

NOT_FOUND = "This shop has no such voucher rule."
REFRESH_BATCH = 500


def money_text(value: Decimal) -> str:
    """A decimal string without trailing zeros ("5000", "249.5")."""
    return format(value.normalize(), "f")


def rule_json(rule: VoucherRule, currency: str, issued: int | None = None) -> dict[str, Any]:
    """A rule as the API shows it."""
    found: dict[str, Any] = {
        "id": str(rule.id),
        "name": rule.name,
        "threshold": money_text(rule.threshold),
        "currency": currency,
        "period": rule.period,
        "period_days": rule.period_days,
        "voucher": {"kind": rule.voucher_kind, "amount": money_text(rule.amount)},
    }
    if issued is not None:
        found["vouchers_issued"] = issued
    return found


def _rule(s: Session, shop_id: int, rule_id: int) -> VoucherRule:
    rule = s.scalars(
        select(VoucherRule).where(
            VoucherRule.id == rule_id,
            VoucherRule.shop_id == shop_id,
            VoucherRule.deleted_at.is_(None),
        )
    ).one_or_none()
    if rule is None:
        raise NotFound(NOT_FOUND)
    return rule


def list_rules(sessions: sessionmaker[Session], shop_id: int) -> dict[str, Any]:
    """The shop's rules (not deleted), oldest first, with how many vouchers each issued."""
    with sessions() as s:
        shop = locked_shop(s, shop_id, lock=False)
        counts = dict(
            s.execute(
                select(Voucher.rule_id, func.count())
                .where(Voucher.shop_id == shop_id, Voucher.issued_at.is_not(None))
                .group_by(Voucher.rule_id)
            ).all()
        )
        rules = s.scalars(
            select(VoucherRule)
            .where(VoucherRule.shop_id == shop_id, VoucherRule.deleted_at.is_(None))
            .order_by(VoucherRule.id)
        )
        return {
            "rules": [rule_json(r, shop.currency, int(counts.get(r.id, 0))) for r in rules],
            "currency": shop.currency,
        }


def create_rule(
    sessions: sessionmaker[Session],
    shop_id: int,
    data: Mapping[str, Any],
    *,
    actor: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Validate and store a new rule; the rule as JSON."""
    values = validate_rule(data)
    now = now or utcnow()
    with sessions.begin() as s:
        shop = locked_shop(s, shop_id)
        live = s.scalar(
            select(func.count()).where(
                VoucherRule.shop_id == shop_id, VoucherRule.deleted_at.is_(None)
            )
        )
        if int(live or 0) >= MAX_RULES:
            raise ValidationError({"_body": f"A shop has at most {MAX_RULES} voucher rules."})
        rule = VoucherRule(shop_id=shop_id, created_at=now, updated_at=now, **values)
        s.add(rule)
        s.flush()
        audit.record(s, shop_id, "staff", actor, "vouchers.update", detail="created")
        return rule_json(rule, shop.currency, 0)


def update_rule(
    sessions: sessionmaker[Session],
    shop_id: int,
    rule_id: int,
    data: Mapping[str, Any],
    *,
    actor: str | None = None,
) -> dict[str, Any]:
    """Change some of a rule's fields; the rule after, as JSON."""
    with sessions.begin() as s:
        shop = locked_shop(s, shop_id, lock=False)
        rule = _rule(s, shop_id, rule_id)
        values = validate_rule(data, rule_json(rule, shop.currency))
        for name, value in values.items():
            setattr(rule, name, value)
        rule.updated_at = utcnow()
        s.flush()
        audit.record(s, shop_id, "staff", actor, "vouchers.update", detail="changed")
        return rule_json(rule, shop.currency)


def delete_rule(
    sessions: sessionmaker[Session], shop_id: int, rule_id: int, *, actor: str | None = None
) -> dict[str, Any]:
    """Stop a rule: no new vouchers; those issued stay. ``{"deleted": id}``."""
    with sessions.begin() as s:
        rule = _rule(s, shop_id, rule_id)
        rule.deleted_at = utcnow()
        audit.record(s, shop_id, "staff", actor, "vouchers.update", detail="deleted")
        return {"deleted": str(rule.id)}


def refresh_shop(
    sessions: sessionmaker[Session], shop_id: int, *, now: datetime | None = None
) -> list[int]:
    """Look at every member of the shop with paid orders again (after a rule changed), each in
    a transaction of their own; the members whose vouchers changed."""
    now = now or utcnow()
    changed: list[int] = []
    after = 0
    while True:
        with sessions() as s:
            batch: list[int] = list(
                s.scalars(
                    select(OrderRecord.member_id)
                    .where(
                        OrderRecord.shop_id == shop_id,
                        OrderRecord.member_id > after,
                        OrderRecord.paid.is_(True),
                    )
                    .group_by(OrderRecord.member_id)
                    .order_by(OrderRecord.member_id)
                    .limit(REFRESH_BATCH)
                )
            )
        for member_id in batch:
            with sessions.begin() as s:
                if refresh_member(s, shop_id, member_id, now):
                    changed.append(member_id)
        if len(batch) < REFRESH_BATCH:
            return changed
        after = batch[-1]
