"""setup guide: when the merchant put the admin home's setup guide away, and first saved the
program settings (its "Review the program" step); where the app proxy is in the storefront

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 11:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


COLUMNS = ("setup_guide_dismissed_at", "program_reviewed_at")


def upgrade() -> None:
    with op.batch_alter_table("shops") as batch:
        for name in COLUMNS:
            batch.add_column(
                sa.Column(name, loyalty.core.types.UTCDateTime(timezone=True), nullable=True)
            )
        batch.add_column(sa.Column("proxy_path", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shops") as batch:
        batch.drop_column("proxy_path")
        for name in COLUMNS:
            batch.drop_column(name)
