"""privacy: retention periods as program settings, durable Shopify pushes of member changes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 19:00:00

The four retention periods get a server default only to fill the settings rows that already
exist (with the periods that were constants until now); the default is dropped afterwards, so
the schema matches the models, which set these values in Python. The two push markers start
NULL: changes made before this revision were pushed by jobs at the time.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RETENTION_DEFAULTS = {
    "inactive_member_months": 24,
    "webhook_body_days": 30,
    "export_days": 30,
    "audit_months": 24,
}
PUSH_MARKERS = {
    "members": "fields_push_pending_since",
    "consent_events": "push_pending_since",
}


def upgrade() -> None:
    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        for name, default in RETENTION_DEFAULTS.items():
            batch_op.add_column(
                sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text(str(default)))
            )
    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        for name in RETENTION_DEFAULTS:
            batch_op.alter_column(name, server_default=None)

    for table, column in PUSH_MARKERS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(column, loyalty.core.types.UTCDateTime(timezone=True), nullable=True)
            )
            batch_op.create_index(f"ix_{table}_{column}", [column], unique=False)


def downgrade() -> None:
    for table, column in PUSH_MARKERS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_{column}")
            batch_op.drop_column(column)

    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        for name in reversed(RETENTION_DEFAULTS):
            batch_op.drop_column(name)
