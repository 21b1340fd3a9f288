"""Ingeborg as a member: seeded in the test shop, calling /proxy/api/me, and read back.

Her history comes from :mod:`tests.support.people`; ``member_caller`` signs calls as Shopify's
app proxy does (the ``proxy`` fixture), so every call goes through the real entry point.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from loyalty.core.models import AuditLog, Member
from tests.support.people import INGEBORG, Seeded, seed_customer
from tests.support.shopify import install_with_fake_token
from tests.support.shops import SHOP

CID = INGEBORG.customer_id
_keys = itertools.count(1)


@pytest.fixture
def ingeborg(rt: Any, shop_id: int) -> Seeded:
    """Ingeborg, a member of the test shop with a full history (270 points, codes, consents)."""
    return seed_customer(rt.sessions, shop_id, INGEBORG)


def member_caller(proxy: Callable[..., Any]) -> Callable[..., Any]:
    """``call(method, path, json=..., customer_id=CID, **proxy_kwargs)`` under /proxy/api/me.

    State-changing calls get a fresh ``Idempotency-Key`` unless ``key`` is given (None: none).
    """

    def call(method: str, path: str = "", *, key: str | None = "auto", **kwargs: Any) -> Any:
        kwargs.setdefault("customer_id", CID)
        headers = dict(kwargs.pop("headers", None) or {})
        if method != "GET" and key is not None:
            headers.setdefault("Idempotency-Key", f"k-{next(_keys)}" if key == "auto" else key)
        return proxy(method, f"/proxy/api/me{path}", headers=headers, **kwargs)

    return call


def install_on_fake_shopify(rt: Any, fake_shopify: Any, config: Any) -> Any:
    """Install the (stored) test shop on the fake Shopify with a real token; Ingeborg is a
    customer there. The fake's shop."""
    fake_shop = fake_shopify.add_shop(SHOP, installed=True)
    fake_shop.add_customer(
        CID, INGEBORG.first_name, INGEBORG.last_name, INGEBORG.email, INGEBORG.phone
    )
    install_with_fake_token(rt, fake_shopify, config)
    return fake_shop


def member_of(rt: Any, member_id: int) -> Member:
    """The member row as stored now."""
    with rt.sessions() as s:
        member = s.get(Member, member_id)
        assert member is not None
        return member


def audit_actions(rt: Any, member_id: int) -> list[tuple[str, str | None, str | None]]:
    """(action, actor_type, detail) of the member's audit entries, oldest first."""
    with rt.sessions() as s:
        rows = s.execute(
            select(AuditLog.action, AuditLog.actor_type, AuditLog.detail)
            .where(AuditLog.member_id == member_id)
            .order_by(AuditLog.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]
