"""backfill: a shop's backfill of existing customers and past orders, with its progress

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = (
    "lines_done",
    "customers_seen",
    "customers_enrolled",
    "orders_seen",
    "orders_recorded",
    "orders_awarded",
)


def upgrade() -> None:
    op.create_table(
        "backfills",
        sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("orders_since_days", sa.Integer(), nullable=True),
        sa.Column("award_points", sa.Boolean(), nullable=False),
        sa.Column("signup_bonus", sa.Boolean(), nullable=False),
        sa.Column("bulk_operation_id", sa.String(length=100), nullable=True),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in COUNTS),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("started_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name="fk_backfills_shop_id_shops", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shop_id", name="pk_backfills"),
    )


def downgrade() -> None:
    op.drop_table("backfills")
