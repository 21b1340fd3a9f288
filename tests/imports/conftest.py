"""Fixtures for imports: a shop installed on the fake Shopify, its customers, and an uploader.

Kari (101) is already a member with 100 points; Ola (102) and Nora (103) are customers in
Shopify whom Klubb does not know yet, so the import finds them through the Admin API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from loyalty.core.models import LedgerKind, Member
from loyalty.points import ledger, reasons
from tests.imports.helpers import FILES, KARI, NORA, OLA
from tests.support.http import bearer
from tests.support.shops import SHOP


@pytest.fixture
def fake_shop(fake_shopify: Any) -> Any:
    """The shop on the fake Shopify with three customers."""
    shop = fake_shopify.add_shop(SHOP, currency="NOK", installed=True)
    shop.add_customer(KARI, "Kari", "Nordmann", "kari@example.com")
    shop.add_customer(OLA, "Ola", "Hansen", "Ola@Example.com")
    shop.add_customer(NORA, "Nora", "Berg", "nora@example.com")
    return shop


@pytest.fixture
def shop_id(rt: Any, installed_shop: Callable[..., Any], fake_shop: Any) -> int:
    """The shop installed in the app with a token from the fake, Kari a member with 100."""
    shop_id = installed_shop(tokens=True).id
    with rt.sessions.begin() as s:
        kari = Member(
            shop_id=shop_id, customer_id=KARI, first_name="Kari", email="kari@example.com"
        )
        s.add(kari)
        s.flush()
        ledger.post(
            s,
            shop_id=shop_id,
            member_id=kari.id,
            points=100,
            kind=LedgerKind.EARN,
            source_key="order:1:1",
            reason=reasons.order(1),
        )
    return shop_id


@pytest.fixture
def upload(client: Any, shop_id: int) -> Callable[..., Any]:
    """``upload(name_or_bytes, mode="add", dry_run=False, **form)``: POST /api/imports."""

    def send(
        file: str | bytes,
        *,
        mode: str | None = "add",
        dry_run: bool | str | None = False,
        filename: str = "members.csv",
        shop: str = SHOP,
        **form: str,
    ) -> Any:
        content = (FILES / file).read_bytes() if isinstance(file, str) else file
        name = file if isinstance(file, str) else filename
        data: dict[str, Any] = {"file": (_io(content), name), **form}
        if mode is not None:
            data["mode"] = mode
        if dry_run is not None:
            data["dry_run"] = str(dry_run).lower() if isinstance(dry_run, bool) else dry_run
        return client.post(
            "/api/imports", data=data, headers=bearer(shop), content_type="multipart/form-data"
        )

    return send


def _io(content: bytes) -> Any:
    import io

    return io.BytesIO(content)


@pytest.fixture
def post_points(rt: Any, shop_id: int) -> Callable[[int, int], None]:
    """``post_points(customer_id, points)``: an earn entry, as an order would post."""
    counter = iter(range(1000, 2000))

    def post(customer_id: int, points: int) -> None:
        with rt.sessions.begin() as s:
            member_id = s.scalar(
                select(Member.id).where(
                    Member.shop_id == shop_id, Member.customer_id == customer_id
                )
            )
            order = next(counter)
            ledger.post(
                s,
                shop_id=shop_id,
                member_id=member_id,
                points=points,
                kind=LedgerKind.EARN,
                source_key=f"order:{order}:1",
                reason=reasons.order(order),
            )

    return post
