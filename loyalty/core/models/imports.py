"""Bringing existing data in: the backfill from Shopify and CSV imports from other apps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from loyalty.core.models.base import ENUM_STR, Base, BigIntPK
from loyalty.core.types import UTCDateTime, utcnow


class Backfill(Base):
    """A shop's backfill of existing customers and past orders: options, phase and progress.

    One row per shop; a new run resets it (``run`` counts them). ``lines_done`` is how many lines
    of the current phase's JSONL file are applied, so a retried job resumes where one stopped.
    """

    __tablename__ = "backfills"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    run: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(ENUM_STR, default="queued")
    phase: Mapped[str] = mapped_column(ENUM_STR, default="customers")
    # None: every order Shopify lets the app read (60 days without read_all_orders).
    orders_since_days: Mapped[int | None] = mapped_column(Integer)
    award_points: Mapped[bool] = mapped_column(Boolean, default=False)
    signup_bonus: Mapped[bool] = mapped_column(Boolean, default=False)
    bulk_operation_id: Mapped[str | None] = mapped_column(String(100))
    lines_done: Mapped[int] = mapped_column(BigInteger, default=0)
    customers_seen: Mapped[int] = mapped_column(BigInteger, default=0)
    customers_enrolled: Mapped[int] = mapped_column(BigInteger, default=0)
    orders_seen: Mapped[int] = mapped_column(BigInteger, default=0)
    orders_recorded: Mapped[int] = mapped_column(BigInteger, default=0)
    orders_awarded: Mapped[int] = mapped_column(BigInteger, default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ImportRun(Base):
    """One CSV import of members and balances (``loyalty.imports``): a dry run or an apply.

    ``content`` holds the uploaded file only until the run has finished (a job re-reads it);
    the per-row outcomes are :class:`ImportRow`.
    """

    __tablename__ = "import_runs"
    __table_args__ = (Index("ix_import_runs_shop_id_id", "shop_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(ENUM_STR, default="queued")
    mode: Mapped[str] = mapped_column(ENUM_STR)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str | None] = mapped_column(String(255))
    file_hash: Mapped[str] = mapped_column(String(64))
    mapping: Mapped[list[dict[str, str | None]]] = mapped_column(JSON, default=list)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    actor: Mapped[str] = mapped_column(String(100), default="staff")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImportRow(Base):
    """What one line of an import did (or, in a dry run, would do)."""

    __tablename__ = "import_rows"
    __table_args__ = (UniqueConstraint("run_id", "line"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(ENUM_STR)
    email: Mapped[str | None] = mapped_column(String(320))
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    points: Mapped[int | None] = mapped_column(BigInteger)
    points_from: Mapped[int | None] = mapped_column(BigInteger)
    points_to: Mapped[int | None] = mapped_column(BigInteger)
    error_code: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(String(300))
