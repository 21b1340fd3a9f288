"""Revision 0013 gives the ledger's existing entries reason codes from their text, on both
databases, in the words the member page showed for them before."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, func, insert, inspect, select, table
from sqlalchemy.sql import column

from loyalty.core.config import Config
from loyalty.core.models import LedgerEntry
from loyalty.points import reasons
from migrations import alembic_config, upgrade
from tests.support.config import migration_database
from tests.support.old_rows import insert_member, insert_shop

pytestmark = pytest.mark.embedded

revision_0013: Any = importlib.import_module("migrations.versions.0013_ledger_reason_codes")

ORDER = 6210000001001
# (kind, reason as stored before 0013, order_id) → (code, params, reason after, English words)
ROWS: list[tuple[tuple[str, str | None, int | None], tuple[str, Any, str | None, str]]] = [
    (
        ("earn", f"order {ORDER}", ORDER),
        ("order", {"order_id": str(ORDER)}, f"order {ORDER}", f"Order {ORDER}"),
    ),
    (
        ("refund", f"order {ORDER}", ORDER),
        ("order", {"order_id": str(ORDER)}, f"order {ORDER}", f"Order {ORDER}"),
    ),
    (("cancel", "order 77", None), ("order", {"order_id": "77"}, "order 77", "Order 77")),
    (("bonus", "signup bonus", None), ("signup_bonus", None, "signup bonus", "Signup bonus")),
    (("redeem", "reward 12", None), ("reward", {"reward_id": 12}, "reward 12", "Reward 12")),
    (
        ("redeem_return", "code not created: THROTTLED", None),
        (
            "reward_code_not_created",
            {"error": "THROTTLED"},
            "code not created: THROTTLED",
            "The discount code could not be created",
        ),
    ),
    (
        ("redeem_return", "reservation released", None),
        (
            "reward_released",
            None,
            "reservation released",
            "The reserved reward was released",
        ),
    ),
    (
        ("expire", "points expired after inactivity", None),
        (
            "expiry",
            None,
            "points expired after inactivity",
            "Expired after a period without activity",
        ),
    ),
    (
        ("expire", "forfeited: left the club", None),
        (
            "left_club",
            None,
            "forfeited: left the club",
            "Forfeited: the member left the club",
        ),
    ),
    (
        ("expire", "forfeited: anonymised after inactivity", None),
        (
            "retention",
            None,
            "forfeited: anonymised after inactivity",
            "Forfeited: anonymised after a period without activity",
        ),
    ),
    (
        ("import", "Imported from Smile.io", None),
        ("import", {"source": "Smile.io"}, "Imported from Smile.io", "Imported from Smile.io"),
    ),
    (
        ("import", "Imported from Yotpo Loyalty (balance set to -40)", None),
        (
            "import_balance_set",
            {"source": "Yotpo Loyalty", "points": -40},
            "Imported from Yotpo Loyalty (balance set to -40)",
            "Imported from Yotpo Loyalty (balance set to -40)",
        ),
    ),
    (
        ("adjust", "Pakken kom sent", None),
        ("staff_adjustment", None, "Pakken kom sent", "Pakken kom sent"),
    ),
    # A staff member's words are theirs, whatever they say.
    (
        ("adjust", "signup bonus", None),
        ("staff_adjustment", None, "signup bonus", "signup bonus"),
    ),
    # Erasure's marker: the text is gone, as erasure stores it from now on (NULL).
    (("adjust", "redacted", None), ("staff_adjustment", None, None, "Erased")),
    (("earn", "redacted", None), ("legacy", None, None, "Erased")),
    (("earn", "something new", None), ("legacy", None, "something new", "something new")),
    (("earn", None, None), ("legacy", None, None, "Erased")),
]
MANY = revision_0013.BATCH + 3
"""More rows than one batch of the row-by-row fill (``reward N``, recognised only there)."""


@pytest.fixture
def empty_database(tmp_path) -> Iterator[str]:
    """A database of its own, SQLite on the embedded run and PostgreSQL otherwise."""
    with migration_database(tmp_path, "0013") as url:
        yield url


def _old_ledger(conn: Any) -> None:
    """A shop, a member and the entries revision 0012's engine wrote."""
    insert_shop(conn, 7)
    insert_member(conn, 3, 7, 42)
    ledger = table(
        "ledger_entries",
        *(column(name) for name in ("id", "shop_id", "member_id", "points", "kind")),
        *(column(name) for name in ("source_key", "reason", "actor", "order_id", "created_at")),
    )
    old = [
        {"kind": kind, "reason": reason, "order_id": order_id}
        for (kind, reason, order_id), _ in ROWS
    ]
    old += [{"kind": "redeem", "reason": f"reward {n}", "order_id": None} for n in range(MANY)]
    conn.execute(
        insert(ledger),
        [
            {
                "id": n,
                "shop_id": 7,
                "member_id": 3,
                "points": 1,
                "source_key": f"old:{n}",
                "actor": "system",
                "created_at": "2026-01-01 00:00:00",
                **row,
            }
            for n, row in enumerate(old, start=1)
        ],
    )


def test_existing_entries_get_the_codes_of_their_text(empty_database, tmp_path):
    config = Config(database_url=empty_database, instance_path=tmp_path)
    upgrade(config, "0012")
    engine = create_engine(config.sqlalchemy_url)
    with engine.begin() as conn:
        _old_ledger(conn)

    upgrade(config)

    with engine.connect() as conn:
        got = conn.execute(
            select(LedgerEntry.reason_code, LedgerEntry.reason_params, LedgerEntry.reason).order_by(
                LedgerEntry.id
            )
        ).all()
        sql_nulls = conn.scalar(
            select(func.count()).where(LedgerEntry.reason_params.is_(None))
        )  # SQL NULL, not JSON's null
        columns = {c["name"]: c for c in inspect(conn).get_columns("ledger_entries")}
    engine.dispose()
    assert [tuple(row) for row in got[: len(ROWS)]] == [after[:3] for _, after in ROWS]
    assert [reasons.label(*row) for row in got[: len(ROWS)]] == [after[3] for _, after in ROWS]
    assert got[len(ROWS) :] == [("reward", {"reward_id": n}, f"reward {n}") for n in range(MANY)]
    assert sql_nulls == sum(after[1] is None for _, after in ROWS)
    assert columns["reason_code"]["nullable"] is False


def test_the_revision_goes_down_and_up_again(empty_database, tmp_path):
    config = Config(database_url=empty_database, instance_path=tmp_path)
    upgrade(config)
    command.downgrade(alembic_config(config), "0012")
    engine = create_engine(config.sqlalchemy_url)
    with engine.connect() as conn:
        names = {c["name"] for c in inspect(conn).get_columns("ledger_entries")}
    engine.dispose()
    assert "reason_code" not in names and "reason_params" not in names
    upgrade(config)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("earn", reasons.order(ORDER)),
        ("bonus", reasons.SIGNUP_BONUS),
        ("redeem", reasons.reward(5)),
        ("redeem_return", reasons.code_not_created("THROTTLED")),
        ("redeem_return", reasons.REWARD_RELEASED),
        ("expire", reasons.EXPIRY),
        ("expire", reasons.LEFT_CLUB),
        ("expire", reasons.RETENTION),
        ("import", reasons.imported("Smile.io")),
        ("import", reasons.imported("Smile.io", 40)),
        ("adjust", reasons.staff_adjustment("Pakken kom sent")),
    ],
)
def test_the_revisions_patterns_read_back_what_the_engine_writes(kind, reason) -> None:
    """``reason`` keeps the text it had before codes, and that text maps back to its code."""
    stored = reasons.english_text(reason)
    expected = (str(reason.code), dict(reason.params) if reason.params else None, stored)
    assert revision_0013.classify(kind, stored) == expected


def test_every_code_has_words() -> None:
    """Each code of the engine's has English words (free-text codes show their text)."""
    for code in reasons.ReasonCode:
        assert code in reasons.LABELS or code in reasons.FREE_TEXT, code
