"""points engine: order settlement facts, rollup contributions, stale customer updates

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 16:20:39.555619

New NOT NULL columns get a server default only to fill the rows that already exist; the default
is dropped afterwards, so the schema matches the models (which set these values in Python).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILLED = {
    "order_records": {
        "earn_blocked": (sa.Boolean(), sa.false()),
        "gift_card_line_ids": (sa.JSON(), sa.text("'[]'")),
        "rollup_member": (sa.Boolean(), sa.false()),
        "rollup_revenue": (sa.Numeric(precision=20, scale=4), sa.text("0")),
    },
    "order_refunds": {
        "unclassified": (sa.JSON(), sa.text("'{}'")),
    },
}


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entries_shop_id_order_id", ["shop_id", "order_id"], unique=False
        )

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shopify_updated_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("order_records", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("earn_rate", sa.Numeric(precision=10, scale=4), nullable=True)
        )
        batch_op.add_column(sa.Column("rollup_day", sa.Date(), nullable=True))

    for table, columns in BACKFILLED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, (type_, default) in columns.items():
                batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=default))
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in columns:
                batch_op.alter_column(name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("order_refunds", schema=None) as batch_op:
        batch_op.drop_column("unclassified")

    with op.batch_alter_table("order_records", schema=None) as batch_op:
        batch_op.drop_column("rollup_revenue")
        batch_op.drop_column("rollup_member")
        batch_op.drop_column("gift_card_line_ids")
        batch_op.drop_column("earn_blocked")
        batch_op.drop_column("rollup_day")
        batch_op.drop_column("earn_rate")

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("shopify_updated_at")

    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_shop_id_order_id")
