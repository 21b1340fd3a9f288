"""How long each kind of personal data is kept: the retention periods and their bounds.

Each period is a program setting of the shop (:class:`~loyalty.core.models.ProgramSettings`, checked
against :data:`BOUNDS` by :mod:`loyalty.points.settings`); a shop without a settings row, and a
webhook event of no known shop, has :data:`DEFAULT_POLICY`. The sweeps that apply them are
:mod:`loyalty.privacy.retention`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from loyalty.core.models import ProgramSettings


def _column_default(name: str) -> int:
    default = ProgramSettings.__table__.c[name].default
    assert default is not None and default.is_scalar
    return int(default.arg)


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each kind of data is kept; field names are the ``program_settings`` columns.

    The defaults (issue 5, part 6) are the columns' own, so there is one source for them.
    """

    inactive_member_months: int = _column_default("inactive_member_months")
    webhook_body_days: int = _column_default("webhook_body_days")
    export_days: int = _column_default("export_days")
    audit_months: int = _column_default("audit_months")


DEFAULT_POLICY = RetentionPolicy()
PERIODS = tuple(f.name for f in fields(RetentionPolicy))
"""The retention settings, in the order the admin lists them."""
BOUNDS: dict[str, tuple[int, int]] = {
    "inactive_member_months": (6, 120),
    "webhook_body_days": (1, 90),
    "export_days": (1, 90),
    "audit_months": (6, 120),
}
"""Sane bounds for each period (:mod:`loyalty.points.settings` refuses values outside them).

Members: at least half a year (a seasonal shopper is not inactive), at most ten years. Webhook
bodies and exports: at least a day (a job must get to process them), at most 90 days (Shopify's
30-day answer deadline plus time to fetch it). Audit: at least half a year, at most ten years.
"""


def shop_period(name: str, shop_id: Any) -> ColumnElement[int]:
    """SQL for the shop's ``name`` period: its setting, or the default without a settings row.

    ``shop_id`` is the (outer) query's shop id column; the setting is a correlated subquery, so
    it also works under ``FOR UPDATE`` and for rows whose shop is unknown (NULL).
    """
    column: InstrumentedAttribute[int] = getattr(ProgramSettings, name)
    setting = select(column).where(ProgramSettings.shop_id == shop_id).scalar_subquery()
    return func.coalesce(setting, getattr(DEFAULT_POLICY, name))


def periods_in_use(sessions: sessionmaker[Session], name: str) -> list[int]:
    """The distinct values of the ``name`` period among the shops, and the default."""
    with sessions() as s:
        values = set(s.scalars(select(getattr(ProgramSettings, name)).distinct()))
    return sorted(values | {getattr(DEFAULT_POLICY, name)})
