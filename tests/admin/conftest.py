"""Fixtures for the embedded admin: members as rows (shops come from ``installed_shop``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from loyalty.core.models import Member

JOINED = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def add_member(rt: Any) -> Callable[..., int]:
    """Insert a member row: ``add_member(shop_id, customer_id, **columns)``; returns its id."""

    def add(shop_id: int, customer_id: int, **columns: Any) -> int:
        columns.setdefault("joined_at", JOINED + timedelta(days=customer_id % 1000))
        with rt.sessions.begin() as s:
            member = Member(shop_id=shop_id, customer_id=customer_id, **columns)
            s.add(member)
            s.flush()
            return member.id

    return add
