"""departure cleanup: a member who left keeps their Shopify customer id on the request until
Klubb has removed what it wrote on the customer in Shopify

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 02:20:00

Leaving the club anonymises the member at once (the member row no longer knows the customer).
The job that removes Klubb's metafields, member tag and unused codes from the customer in
Shopify needs the customer's id, and Redis may be down when the shopper leaves: the id waits on
the leave request (``privacy_requests.shopify_cleanup_customer_id``) until that job is done,
and the push sweeper queues the job again while it waits (jobs/shopify_sync.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("privacy_requests") as batch:
        batch.add_column(sa.Column("shopify_cleanup_customer_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("privacy_requests") as batch:
        batch.drop_column("shopify_cleanup_customer_id")
