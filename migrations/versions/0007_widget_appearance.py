"""widget appearance

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 19:00:00

One row per shop that saved its widget's look in the admin; no row means the defaults (and the
theme editor's settings) apply.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "widget_appearances",
        sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("accent_color", sa.String(length=7), nullable=False),
        sa.Column("accent_text_color", sa.String(length=7), nullable=False),
        sa.Column("background_color", sa.String(length=7), nullable=False),
        sa.Column("text_color", sa.String(length=7), nullable=False),
        sa.Column("position", sa.String(length=8), nullable=False),
        sa.Column("launcher_text", sa.JSON(), nullable=False),
        sa.Column("updated_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_widget_appearances_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_widget_appearances")),
    )


def downgrade() -> None:
    op.drop_table("widget_appearances")
