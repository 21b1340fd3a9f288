"""imports: CSV imports of members and balances (runs and their per-row outcomes)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 19:00:00

Imported points are ledger entries of kind ``import``; kinds are plain strings, so the kind
needs no schema change.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "import_runs",
        sa.Column("id", BIGINT_PK, nullable=False),
        sa.Column("shop_id", BIGINT_PK, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("created_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name="fk_import_runs_shop_id_shops", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_runs"),
    )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.create_index("ix_import_runs_shop_id_id", ["shop_id", "id"], unique=False)

    op.create_table(
        "import_rows",
        sa.Column("id", BIGINT_PK, nullable=False),
        sa.Column("run_id", BIGINT_PK, nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("customer_id", sa.BigInteger(), nullable=True),
        sa.Column("points", sa.BigInteger(), nullable=True),
        sa.Column("points_from", sa.BigInteger(), nullable=True),
        sa.Column("points_to", sa.BigInteger(), nullable=True),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("message", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["import_runs.id"],
            name="fk_import_rows_run_id_import_runs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_rows"),
        sa.UniqueConstraint("run_id", "line", name="uq_import_rows_run_id_line"),
    )


def downgrade() -> None:
    op.drop_table("import_rows")
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_import_runs_shop_id_id")
    op.drop_table("import_runs")
