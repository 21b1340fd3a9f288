"""What each row does to the balances: planned (dry run) or applied, through the ledger.

Points move only as ledger entries of kind ``import`` (``ledger.post``), whose source keys make
a re-run change nothing:

- add mode: ``import:add:{customer}:{points}`` — one customer gets a given amount from an
  import once, whichever file (or re-saved, corrected copy of it) carries the row;
- a points log (Rivo): ``import:log:{customer}:{hash of the row's cells}`` — each transaction
  once;
- reset mode: ``import:reset:{customer}:{target}`` — the difference to the target, posted once
  (0 when the balance is already there, so the reset is on record and a later re-run does not
  set the balance back after the member has earned more).

A row is planned and applied in the same transaction, under a lock on the member row, so a
concurrent earn cannot slip between reading the balance and posting the difference. A new
member is enrolled without the signup bonus: the balance they bring already holds what the old
program gave them. Tombstoned customers (left or erased), erased members and members who
restricted processing are skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.core.db import upsert
from loyalty.core.models import LedgerEntry, LedgerKind, Member, MemberStatus, Tombstone
from loyalty.core.types import utcnow
from loyalty.imports.customers import Customer, Resolved
from loyalty.imports.formats import Mode, Source
from loyalty.imports.outcomes import Outcome, RowResult, screen_rows
from loyalty.imports.parse import Row
from loyalty.members.enrolment import HashKeys, customer_hashes
from loyalty.points import ledger, reasons
from loyalty.privacy import audit


def source_key(source: Source, mode: str, customer_id: int, row: Row) -> str:
    """The ledger source key of a row (see the module docstring)."""
    if source.log:
        digest = hashlib.sha256("\x1f".join(row.cells).encode()).hexdigest()[:32]
        return f"import:log:{customer_id}:{digest}"
    return f"import:{mode}:{customer_id}:{row.points}"


def process(
    session: Session,
    *,
    shop_id: int,
    rows: Sequence[Row],
    resolved: dict[int, Resolved],
    source: Source,
    mode: str,
    apply: bool,
    hash_keys: HashKeys,
    staff_user_id: str | None,
    now: datetime | None = None,
    planned: dict[int, int] | None = None,
) -> list[RowResult]:
    """Plan (``apply=False``, nothing written) or apply ``rows`` in the caller's transaction.

    A dry run keeps each customer's planned balance in ``planned`` (pass the same dict for
    every chunk of a file), so a log's second row for a customer starts where the first ended.
    """
    now = now or utcnow()
    simulated: dict[int, int] = {} if apply or planned is None else planned
    results, pending = screen_rows(rows, resolved)
    by_line = {r.line: r for r in results}
    if not pending:
        return results
    customer_ids = sorted({c.customer_id for _, c in pending})
    tombstoned = _tombstoned(session, shop_id, customer_ids, hash_keys)
    members = _members(session, shop_id, customer_ids, lock=apply)
    keys = {r.line: source_key(source, mode, c.customer_id, r) for r, c in pending}
    done = _existing_keys(session, shop_id, list(keys.values()))
    for row, customer in pending:
        result = by_line[row.line]
        result.customer_id = customer.customer_id
        member = members.get(customer.customer_id)
        result.email = result.email or customer.email or (member.email if member else None)
        if _skip_untouchable(result, member, tombstoned=customer.customer_id in tombstoned):
            continue
        key = keys[row.line]
        target = _plan_row(
            result, row, customer.customer_id, member, simulated, mode, already=key in done
        )
        if target is None:
            continue
        if not apply:
            simulated[customer.customer_id] = target
            continue
        if member is None:
            member = _enrol(session, shop_id, customer, now, staff_user_id)
            members[customer.customer_id] = member
        delta = target - member.points_balance
        if delta == 0 and mode == Mode.ADD:
            continue  # adding 0 needs no record: it can never count twice
        _post_import(
            session,
            result,
            member,
            delta,
            shop_id=shop_id,
            target=target,
            key=key,
            source=source,
            mode=mode,
            staff_user_id=staff_user_id,
            now=now,
        )
        done.add(key)
    return results


def _skip_untouchable(result: RowResult, member: Member | None, *, tombstoned: bool) -> bool:
    """Mark the row skipped if its customer left, was erased or restricted processing; whether so."""
    if tombstoned:
        result.outcome, result.error_code = Outcome.SKIPPED, "left_or_erased"
        result.message = "Left the club or was erased: not enrolled again."
        return True
    if member is not None and member.status == MemberStatus.ANONYMISED:
        result.outcome, result.error_code = Outcome.SKIPPED, "erased"
        result.message = "This member's data was erased."
        return True
    if member is not None and member.status == MemberStatus.RESTRICTED:
        # Like an order, an import does not touch a member who restricted processing.
        result.outcome, result.error_code = Outcome.SKIPPED, "restricted"
        result.message = "This member has restricted the use of their data."
        return True
    return False


def _plan_row(
    result: RowResult,
    row: Row,
    customer_id: int,
    member: Member | None,
    simulated: dict[int, int],
    mode: str,
    *,
    already: bool,
) -> int | None:
    """Fill in the row's balances and outcome; the balance to reach, None if already imported.

    The balance before is the member's, or what earlier rows of a dry run left it at.
    """
    points = int(row.points or 0)
    known = member is not None or customer_id in simulated
    balance = member.points_balance if member is not None else 0
    balance = simulated.get(customer_id, balance)
    target = balance + points if mode == Mode.ADD else points
    result.points_from = balance if known else None
    if already:
        result.outcome, result.points_to = Outcome.UNCHANGED, balance
        result.error_code, result.message = "already_imported", "Already imported."
        return None
    result.points_to = target
    if not known:
        result.outcome = Outcome.NEW_MEMBER
    elif target == balance:
        result.outcome = Outcome.UNCHANGED
    else:
        result.outcome = Outcome.CHANGE
    return target


def _post_import(
    session: Session,
    result: RowResult,
    member: Member,
    delta: int,
    *,
    shop_id: int,
    target: int,
    key: str,
    source: Source,
    mode: str,
    staff_user_id: str | None,
    now: datetime,
) -> None:
    """Post the row's ``import`` entry; when it moved the balance, say so and audit it."""
    posted = ledger.post(
        session,
        shop_id=shop_id,
        member_id=member.id,
        points=delta,
        kind=LedgerKind.IMPORT,
        source_key=key,
        reason=reasons.imported(source.label, target if mode == Mode.RESET else None),
        actor=f"staff:{staff_user_id}" if staff_user_id else "staff",
        now=now,
    )
    if posted and delta:
        session.refresh(member)
        result.member_id = member.id
        audit.record(
            session,
            shop_id,
            audit.ActorType.STAFF,
            staff_user_id,
            "member.imported",
            member_id=member.id,
            detail=f"points={delta:+d}",
        )


def _enrol(
    session: Session, shop_id: int, customer: Customer, now: datetime, staff_user_id: str | None
) -> Member:
    """Enrol the customer (no signup bonus; see the module docstring) and lock the row."""
    created = session.execute(
        upsert(session, Member)
        .on_conflict_do_nothing(index_elements=["shop_id", "customer_id"])
        .values(
            shop_id=shop_id,
            customer_id=customer.customer_id,
            first_name=(customer.first_name or None) and customer.first_name[:255],
            last_name=(customer.last_name or None) and customer.last_name[:255],
            email=(customer.email or None) and customer.email[:320],
            status=MemberStatus.ACTIVE,
            joined_at=now,
            created_at=now,
            updated_at=now,
        )
        .returning(Member.id)
    ).scalar_one_or_none()
    if created is not None:
        ledger.add_to_rollup(
            session, shop_id, ledger.local_day(session, shop_id, now), new_members=1
        )
        audit.record(
            session,
            shop_id,
            audit.ActorType.STAFF,
            staff_user_id,
            "member.imported",
            member_id=created,
            detail="enrolled",
        )
    member = session.scalars(
        select(Member)
        .where(Member.shop_id == shop_id, Member.customer_id == customer.customer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return member


def _members(
    session: Session, shop_id: int, customer_ids: list[int], *, lock: bool
) -> dict[int, Member]:
    query = (
        select(Member)
        .where(Member.shop_id == shop_id, Member.customer_id.in_(customer_ids))
        .order_by(Member.id)
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update()
    return {m.customer_id: m for m in session.scalars(query)}


def _tombstoned(
    session: Session, shop_id: int, customer_ids: list[int], hash_keys: HashKeys
) -> set[int]:
    by_hash = {h: cid for cid in customer_ids for h in customer_hashes(hash_keys, shop_id, cid)}
    found = session.scalars(
        select(Tombstone.customer_hash).where(
            Tombstone.shop_id == shop_id, Tombstone.customer_hash.in_(list(by_hash))
        )
    )
    return {by_hash[h] for h in found}


def _existing_keys(session: Session, shop_id: int, keys: list[str]) -> set[str]:
    return set(
        session.scalars(
            select(LedgerEntry.source_key).where(
                LedgerEntry.shop_id == shop_id, LedgerEntry.source_key.in_(keys)
            )
        )
    )
