"""A run starts by itself when a shop installs (or installs again) through the admin, not when
an installed shop's token is merely exchanged again."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from loyalty.backfill.runs import progress
from loyalty.core.models import OrderRecord, Shop
from loyalty.core.types import utcnow
from tests.backfill.helpers import ORDER_GUEST, ORDER_KARI
from tests.support.jobs import drain
from tests.support.shops import SHOP


@pytest.fixture
def first_load(client, fake_shopify, fake_shop):
    """The admin's embedded first load with a fresh session token (installs when needed)."""
    fake_shopify.install(SHOP)
    host = base64.urlsafe_b64encode(f"admin.shopify.com/store/{SHOP[:-14]}".encode()).decode()

    def load():
        query = {
            "embedded": "1",
            "shop": SHOP,
            "host": host.rstrip("="),
            "id_token": fake_shopify.session_token(SHOP),
        }
        response = client.get("/", query_string=query)
        assert response.status_code == 200
        return response

    return load


def shop_row(rt):
    with rt.sessions() as s:
        return s.scalars(select(Shop).where(Shop.domain == SHOP)).one()


def test_an_install_through_the_admin_starts_the_backfill(first_load, app, rt):
    first_load()
    shop_id = shop_row(rt).id
    assert progress(rt.sessions, shop_id)["status"] == "queued"

    drain(app)

    state = progress(rt.sessions, shop_id)
    assert state["status"] == "completed"
    assert state["options"] == {"orders_since": 60, "award_points": False, "signup_bonus": False}
    with rt.sessions() as s:
        assert set(s.scalars(select(OrderRecord.order_id))) == {ORDER_KARI, ORDER_GUEST}


def test_a_token_exchanged_again_starts_nothing_and_a_reinstall_starts_a_run(first_load, app, rt):
    first_load()
    drain(app)
    shop_id = shop_row(rt).id
    with rt.sessions.begin() as s:  # the token is gone: the next load exchanges again
        s.get(Shop, shop_id).access_token_encrypted = None
        s.get(Shop, shop_id).refresh_token_encrypted = None
    installed_at = shop_row(rt).installed_at

    first_load()

    assert shop_row(rt).installed_at > installed_at  # exchanged and recorded again
    assert progress(rt.sessions, shop_id)["run"] == 1

    with rt.sessions.begin() as s:  # app/uninstalled came; then the merchant installs again
        s.get(Shop, shop_id).uninstalled_at = utcnow()
    first_load()

    state = progress(rt.sessions, shop_id)
    assert state["run"] == 2 and state["status"] == "queued"
    drain(app)
    assert progress(rt.sessions, shop_id)["status"] == "completed"
