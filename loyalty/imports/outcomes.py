"""What a row did (or would do): its outcome, and the checks settled before it is planned.

A row with an error of its own or of its customer lookup stays an error, one revoked in Rivo is
skipped, and in a balance file a second row naming the same customer is an error; the rest are
planned or applied by :mod:`loyalty.imports.apply`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from loyalty.imports.customers import Customer, Resolved
from loyalty.imports.formats import Source
from loyalty.imports.parse import Row, RowError


class Outcome:
    """What a row did (or would do)."""

    NEW_MEMBER = "new_member"
    CHANGE = "change"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    ERROR = "error"

    ALL = (NEW_MEMBER, CHANGE, UNCHANGED, SKIPPED, ERROR)


@dataclass
class RowResult:
    """One row's outcome, as stored and shown."""

    line: int
    outcome: str
    email: str | None = None
    customer_id: int | None = None
    points: int | None = None
    points_from: int | None = None
    points_to: int | None = None
    error_code: str | None = None
    message: str | None = None
    member_id: int | None = None  # set when applying moved this member's balance


DUPLICATE_CUSTOMER = "Names the same customer as line {line}; only that line is imported."


def mark_same_customer(rows: Sequence[Row], resolved: dict[int, Resolved], source: Source) -> None:
    """In a balance file, a second row that resolves to an already named customer is an error."""
    if source.log:
        return
    first: dict[int, int] = {}
    for row in rows:
        match = resolved.get(row.line)
        if row.error is not None or match is None or match.customer is None:
            continue
        customer_id = match.customer.customer_id
        if customer_id in first:
            row.error = RowError("duplicate", DUPLICATE_CUSTOMER.format(line=first[customer_id]))
        else:
            first[customer_id] = row.line


def screen_rows(
    rows: Sequence[Row], resolved: dict[int, Resolved]
) -> tuple[list[RowResult], list[tuple[Row, Customer]]]:
    """A result for every row, and the rows left to plan with their customers.

    Rows with an error (their own or their customer lookup's) or without a customer stay
    errors; rows revoked in Rivo are skipped; the others start as errors until planned.
    """
    results: list[RowResult] = []
    pending: list[tuple[Row, Customer]] = []
    for row in rows:
        base = RowResult(line=row.line, outcome=Outcome.ERROR, email=row.email, points=row.points)
        match = resolved.get(row.line)
        if row.error is None and match is not None and match.error is not None:
            row.error = match.error
        if row.error is not None or match is None or match.customer is None:
            error = row.error or RowError("unknown_customer", "No such customer in the shop.")
            base.customer_id = row.customer_id
            base.error_code, base.message = error.code, error.message
            results.append(base)
            continue
        if row.revoked:
            base.outcome, base.customer_id = Outcome.SKIPPED, match.customer.customer_id
            base.error_code, base.message = "revoked", "Revoked in Rivo: not imported."
            results.append(base)
            continue
        pending.append((row, match.customer))
        results.append(base)
    return results, pending
