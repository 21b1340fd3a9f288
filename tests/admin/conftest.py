"""Fixtures for the embedded admin: installed shops and members as rows, session tokens for /api."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import jwt
import pytest

from loyalty.core.config import DEMO_API_KEY, DEMO_API_SECRET
from loyalty.core.models import Member, ProgramSettings, Shop

SHOP_A = "alpha.myshopify.com"
SHOP_B = "bravo.myshopify.com"
JOINED = datetime(2026, 1, 1, tzinfo=UTC)


def session_token(shop: str, **overrides: Any) -> str:
    """A session token as App Bridge issues it; ``overrides`` change or (None) drop claims."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": DEMO_API_KEY,
        "sub": "42",
        "exp": now + 60,
        "nbf": now,
        "iat": now,
        "jti": f"jti-{now}",
        "sid": "session-1",
    }
    secret = overrides.pop("secret", DEMO_API_SECRET)
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, algorithm="HS256")


def bearer(shop: str, **overrides: Any) -> dict[str, str]:
    """Headers for an /api call authenticated as staff of ``shop``."""
    return {"Authorization": f"Bearer {session_token(shop, **overrides)}"}


@pytest.fixture
def make_shop(rt: Any) -> Callable[..., int]:
    """Insert a shop (installed by default) with program settings; returns its id."""

    def make(
        domain: str,
        *,
        installed: bool = True,
        uninstalled: bool = False,
        earn_rate: str = "1",
        **columns: Any,
    ) -> int:
        now = datetime.now(UTC)
        with rt.sessions.begin() as s:
            shop = Shop(
                domain=domain,
                name=columns.pop("name", domain.split(".")[0].title()),
                installed_at=now - timedelta(days=1) if installed else None,
                uninstalled_at=now if uninstalled else None,
                access_token_encrypted=b"not-used-here" if installed and not uninstalled else None,
                **columns,
            )
            shop.settings = ProgramSettings(earn_rate=Decimal(earn_rate))
            s.add(shop)
            s.flush()
            return shop.id

    return make


@pytest.fixture
def shop_a(make_shop: Callable[..., int]) -> int:
    """An installed shop, the one most tests act as."""
    return make_shop(SHOP_A, currency="NOK", locale="nb")


@pytest.fixture
def shop_b(make_shop: Callable[..., int]) -> int:
    """Another installed shop, whose data shop A must never reach."""
    return make_shop(SHOP_B, earn_rate="3", currency="SEK")


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
