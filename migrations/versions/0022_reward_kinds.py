"""reward kinds: free product, gift card, store credit

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 11:30:00

``rewards`` gains what a free-product reward needs (the Shopify product and variant, the
product's title as last seen, what a price change does, why it is paused);
``redemptions`` gains a gift card's last characters and the amount issued (gift card, store
credit, free product). The full gift-card code is never kept past the member's first sight
of it (docs/decisions.md, Session 9: rewards beyond discount codes).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rewards") as batch:
        batch.add_column(sa.Column("product_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("variant_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("product_title", sa.String(255), nullable=True))
        batch.add_column(sa.Column("on_price_change", sa.String(20), nullable=True))
        batch.add_column(sa.Column("paused", sa.String(20), nullable=True))
    with op.batch_alter_table("redemptions") as batch:
        batch.add_column(sa.Column("last_characters", sa.String(8), nullable=True))
        batch.add_column(sa.Column("amount", sa.Numeric(20, 4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("redemptions") as batch:
        batch.drop_column("amount")
        batch.drop_column("last_characters")
    with op.batch_alter_table("rewards") as batch:
        batch.drop_column("paused")
        batch.drop_column("on_price_change")
        batch.drop_column("product_title")
        batch.drop_column("variant_id")
        batch.drop_column("product_id")
