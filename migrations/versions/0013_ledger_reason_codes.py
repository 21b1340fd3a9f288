"""ledger reason codes: why each entry was posted, as a code and JSON parameters

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 09:00:00

``ledger_entries.reason`` held English text the engine wrote (``order 6210000001001``) and the
admin parsed back with regular expressions. Each entry now has ``reason_code``
(``loyalty.points.reasons.ReasonCode``) and ``reason_params`` (JSON, the facts its words need);
``reason`` keeps a staff adjustment's own words, and for the rest the same English text as
before, for programs that read it.

Existing rows are filled from their text, with the patterns the admin used (copied here, not
imported: they describe what was written before this revision):

=============================================  ========================  =======================
stored ``reason`` (kind)                       ``reason_code``           ``reason_params``
=============================================  ========================  =======================
anything (``adjust``)                          staff_adjustment          NULL
``order N``                                    order                     {"order_id": "N"}
``reward N``                                   reward                    {"reward_id": N}
``code not created: E``                        reward_code_not_created   {"error": "E"}
``reservation released``                       reward_released           NULL
``signup bonus``                               signup_bonus              NULL
``points expired after inactivity``            expiry                    NULL
``forfeited: left the club``                   left_club                 NULL
``forfeited: anonymised after inactivity``     retention                 NULL
``Imported from S (balance set to P)``         import_balance_set        {"source": "S", "points": P}
``Imported from S``                            import                    {"source": "S"}
anything else, or NULL                         legacy                    NULL
=============================================  ========================  =======================

A staff adjustment's and a ``legacy`` entry's text stays in ``reason``, except the ``redacted``
marker that erasure wrote over every text of an erased member: it becomes NULL, which is how an
erased free text is stored from now on (loyalty.privacy.redact).

Order entries, most of any ledger, are filled by one UPDATE that compares the text with the
``order_id`` column, the fixed texts by another, adjustments by a third; the few rows left
(rewards, imports, unknown texts) are read in batches and updated by id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
REDACTED = "redacted"
FIXED = {
    "signup bonus": "signup_bonus",
    "points expired after inactivity": "expiry",
    "reservation released": "reward_released",
    "forfeited: left the club": "left_club",
    "forfeited: anonymised after inactivity": "retention",
}
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"order (?P<order_id>\d+)"), "order"),
    (re.compile(r"reward (?P<reward_id>\d+)"), "reward"),
    (re.compile(r"code not created: (?P<error>.*)", re.S), "reward_code_not_created"),
    (
        re.compile(r"Imported from (?P<source>.+) \(balance set to (?P<points>-?\d+)\)", re.S),
        "import_balance_set",
    ),
    (re.compile(r"Imported from (?P<source>.+)", re.S), "import"),
)
INTEGER_PARAMS = frozenset({"reward_id", "points"})

ledger = sa.table(
    "ledger_entries",
    sa.column("id", sa.BigInteger()),
    sa.column("kind", sa.String()),
    sa.column("reason", sa.Text()),
    sa.column("order_id", sa.BigInteger()),
    sa.column("reason_code", sa.String()),
    sa.column("reason_params", sa.JSON(none_as_null=True)),
)


def classify(kind: str, text: str | None) -> tuple[str, dict[str, Any] | None, str | None]:
    """(code, params, text to keep) for an entry written before this revision."""
    if kind == "adjust":
        return "staff_adjustment", None, None if text == REDACTED else text
    if text is None or text == REDACTED:
        return "legacy", None, None
    if text in FIXED:
        return FIXED[text], None, text
    for pattern, code in PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            params = {
                k: int(v) if k in INTEGER_PARAMS else v for k, v in match.groupdict().items()
            }
            return code, params, text
    return "legacy", None, text


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries") as batch:
        batch.add_column(sa.Column("reason_code", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("reason_params", sa.JSON(), nullable=True))
    conn = op.get_bind()
    uncoded = ledger.c.reason_code.is_(None)
    conn.execute(
        ledger.update()
        .where(ledger.c.kind == "adjust")
        .values(
            reason_code="staff_adjustment",
            reason=sa.case((ledger.c.reason == REDACTED, sa.null()), else_=ledger.c.reason),
        )
    )
    order_text = sa.cast(ledger.c.order_id, sa.String())
    build_object = "json_build_object" if conn.dialect.name == "postgresql" else "json_object"
    conn.execute(
        ledger.update()
        .where(uncoded, ledger.c.order_id.is_not(None), ledger.c.reason == "order " + order_text)
        .values(
            reason_code="order",
            reason_params=getattr(sa.func, build_object)("order_id", order_text),
        )
    )
    conn.execute(
        ledger.update()
        .where(uncoded, ledger.c.reason.in_(list(FIXED)))
        .values(reason_code=sa.case(FIXED, value=ledger.c.reason))
    )
    _fill_the_rest(conn)
    with op.batch_alter_table("ledger_entries") as batch:
        batch.alter_column("reason_code", existing_type=sa.String(length=40), nullable=False)


def _fill_the_rest(conn: sa.Connection) -> None:
    """Rows no bulk UPDATE recognised, classified one by one in batches of :data:`BATCH`."""
    last = 0
    while True:
        rows = conn.execute(
            sa.select(ledger.c.id, ledger.c.kind, ledger.c.reason)
            .where(ledger.c.reason_code.is_(None), ledger.c.id > last)
            .order_by(ledger.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        changes = []
        for row in rows:
            code, params, text = classify(row.kind, row.reason)
            changes.append({"row_id": row.id, "code": code, "params": params, "text": text})
        conn.execute(
            ledger.update()
            .where(ledger.c.id == sa.bindparam("row_id"))
            .values(
                reason_code=sa.bindparam("code"),
                reason_params=sa.bindparam("params", type_=sa.JSON(none_as_null=True)),
                reason=sa.bindparam("text"),
            ),
            changes,
        )
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_column("reason_params")
        batch.drop_column("reason_code")
