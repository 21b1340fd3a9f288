"""Fixtures shared by the webhook tests."""

from __future__ import annotations

import pytest

from tests.support.shops import SHOP


@pytest.fixture
def balance(client, fake_shopify):
    """A customer's points balance, read through ``GET /api/members/{id}``."""

    def get(customer_id: int) -> int:
        token = fake_shopify.session_token(SHOP)
        response = client.get(
            f"/api/members/{customer_id}", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.get_json()
        return int(response.get_json()["points_balance"])

    return get
