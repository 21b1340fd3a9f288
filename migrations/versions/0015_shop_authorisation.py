"""shop authorisation: a shop whose token Shopify refused waits for its merchant

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 10:00:00

When the Admin API refuses a shop's access token (401) or the token endpoint its refresh
token, the stored tokens will never work again, yet every job went on calling Shopify with
them and retrying. ``shops.needs_authorisation_since`` marks such a shop: nothing calls
Shopify for it until the merchant's next load of the embedded admin exchanges a new token,
which clears it (loyalty/shopify/authorisation.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shops") as batch:
        batch.add_column(
            sa.Column(
                "needs_authorisation_since",
                loyalty.core.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("shops") as batch:
        batch.drop_column("needs_authorisation_since")
