"""event retry due: when a failed webhook event's next attempt is due, kept with the event

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 09:00:00

An event whose handler raised is ``failed`` and waits for RQ's retry, which lives only in
Redis: when Redis lost its data, the retry was lost and the event stayed failed for good. The
database is the truth for retries now: ``webhook_events.retry_at`` says when the next attempt
is due (NULL when none will come: the retries are spent, and the merchant may retry it from
the Failed events page), and the outbox sweeper queues a failed event whose retry is due and
whose job is gone (jobs/sweeper.py). Existing failed events get none: what was due for them
is not known, and they keep showing on the Failed events page as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_events") as batch:
        batch.add_column(
            sa.Column("retry_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_events") as batch:
        batch.drop_column("retry_at")
