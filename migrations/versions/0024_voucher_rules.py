"""spend-threshold vouchers: rules, vouchers, the voucher ledger

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 11:40:00

``voucher_rules`` (spend a threshold in a period, get a gift card or a discount code; deleting
one stamps ``deleted_at``), ``vouchers`` (one per rule, member and period, unique: whether the
period's spend qualifies now, and the voucher's state in Shopify) and ``voucher_events`` (the
voucher ledger, append-only). loyalty/club/voucher_standing.py and voucher_sync.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = loyalty.core.types.UTCDateTime(timezone=True)
_MONEY = sa.Numeric(precision=20, scale=4)


def _fk(table: str, column: str, other: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{other}.id"], name=op.f(f"fk_{table}_{column}_{other}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "voucher_rules",
        sa.Column("id", _ID, nullable=False),
        sa.Column("shop_id", _ID, nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("threshold", _MONEY, nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=True),
        sa.Column("voucher_kind", sa.String(length=20), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.Column("deleted_at", _TIME, nullable=True),
        _fk("voucher_rules", "shop_id", "shops"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_rules")),
    )
    with op.batch_alter_table("voucher_rules") as batch:
        batch.create_index("ix_voucher_rules_shop_id", ["shop_id"], unique=False)
    op.create_table(
        "vouchers",
        sa.Column("id", _ID, nullable=False),
        sa.Column("shop_id", _ID, nullable=False),
        sa.Column("rule_id", _ID, nullable=False),
        sa.Column("member_id", _ID, nullable=False),
        sa.Column("period_key", sa.String(length=20), nullable=False),
        sa.Column("period_start", _TIME, nullable=False),
        sa.Column("period_end", _TIME, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("threshold", _MONEY, nullable=False),
        sa.Column("spend", _MONEY, nullable=False),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("last_characters", sa.String(length=8), nullable=True),
        sa.Column("code_shown_at", _TIME, nullable=True),
        sa.Column("shopify_id", sa.String(length=100), nullable=True),
        sa.Column("in_flight", sa.String(length=20), nullable=True),
        sa.Column("debited", _MONEY, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("issued_at", _TIME, nullable=True),
        sa.Column("changed_at", _TIME, nullable=False),
        _fk("vouchers", "shop_id", "shops"),
        _fk("vouchers", "rule_id", "voucher_rules"),
        _fk("vouchers", "member_id", "members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vouchers")),
        sa.UniqueConstraint(
            "shop_id",
            "rule_id",
            "member_id",
            "period_key",
            name=op.f("uq_vouchers_shop_id_rule_id_member_id_period_key"),
        ),
    )
    with op.batch_alter_table("vouchers") as batch:
        batch.create_index("ix_vouchers_member_id", ["member_id"], unique=False)
        batch.create_index("ix_vouchers_shop_id_state", ["shop_id", "state"], unique=False)
    op.create_table(
        "voucher_events",
        sa.Column("id", _ID, nullable=False),
        sa.Column("shop_id", _ID, nullable=False),
        sa.Column("voucher_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("spend", _MONEY, nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        _fk("voucher_events", "shop_id", "shops"),
        _fk("voucher_events", "voucher_id", "vouchers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_events")),
    )
    with op.batch_alter_table("voucher_events") as batch:
        batch.create_index("ix_voucher_events_voucher_id", ["voucher_id"], unique=False)


def downgrade() -> None:
    op.drop_table("voucher_events")
    op.drop_table("vouchers")
    op.drop_table("voucher_rules")
