"""A revoked token (the Admin API answers 401 before ``app/uninstalled`` arrives): the shop is
marked, nothing calls Shopify for it, its jobs wait; the merchant's next admin load exchanges a
new token and the waiting work goes through.

The fake Shopify revokes the shop's tokens with the app still installed; webhooks come through
the fake's signed sender, the jobs run in-process, and the merchant's load is ``GET /`` with
the session token Shopify's admin adds.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import select, update

from jobs.schedule import refresh_expiring_tokens
from jobs.sweeper import sweep_pending_pushes
from loyalty.core.models import Member, Shop
from loyalty.core.types import utcnow
from tests.support.bodies import Line, customer_body, order_body
from tests.support.jobs import drain
from tests.support.shopify import install_with_fake_token, token_grants
from tests.support.shops import SHOP, stored_shop
from tests.worker.helpers import CUSTOMER

pytestmark = pytest.mark.embedded

GID = f"gid://shopify/Customer/{CUSTOMER}"


def calls_since(fake_shopify, start: int) -> list[int]:
    """The statuses of the Admin API calls made since ``start`` calls."""
    return [request["status"] for request in fake_shopify.graphql_requests[start:]]


def merchant_opens_the_app(client, fake_shopify):
    query = urlencode(
        {
            "embedded": "1",
            "shop": SHOP,
            "host": "YWRtaW4",
            "id_token": fake_shopify.session_token(SHOP),
        }
    )
    return client.get(f"/?{query}")


def points_in_shopify(fake_shop) -> str | None:
    field = fake_shop.metafield(GID, "$app:loyalty", "points")
    return None if field is None else field.value


def welcome_codes(fake_shop) -> list[str]:
    return [d.title for d in fake_shop.discounts.values() if "Klubb welcome #" in d.title]


def test_a_revoked_token_stops_the_calls_until_the_merchant_opens_the_app(
    deliver, fake_shopify, fake_shop, rt, app, client
):
    fake_shopify.revoke_tokens(SHOP)
    start = len(fake_shopify.graphql_requests)
    refreshes = len(token_grants(fake_shopify))

    deliver("customers/create", customer_body(CUSTOMER), drain_jobs=False)
    drain(app, raise_failures=False)  # the welcome code and the balance sync

    assert calls_since(fake_shopify, start) == [401]  # the first call, and no other
    assert stored_shop(rt).needs_authorisation_since is not None
    assert len(token_grants(fake_shopify)) == refreshes  # no refresh with a revoked token
    shopify_queue = rt.queue("shopify")
    assert shopify_queue.scheduled_job_registry.get_job_ids() == []  # no retries
    assert len(shopify_queue.failed_job_registry.get_job_ids()) == 2  # both wait

    order = order_body(6101, [Line(1, "250.00")], customer_id=CUSTOMER)
    deliver("orders/paid", order, drain_jobs=False)
    drain(app, raise_failures=False)
    assert calls_since(fake_shopify, start) == [401]  # the shop is left alone

    response = merchant_opens_the_app(client, fake_shopify)
    assert response.status_code == 200
    assert [g["grant_type"] for g in token_grants(fake_shopify)[refreshes:]] == [
        "urn:ietf:params:oauth:grant-type:token-exchange"
    ]
    assert stored_shop(rt).needs_authorisation_since is None

    drain(app)  # the waiting jobs run now
    with rt.sessions() as s:
        balance = s.scalar(select(Member.points_balance).where(Member.customer_id == CUSTOMER))
    assert balance == 350
    assert points_in_shopify(fake_shop) == "350"
    assert len(welcome_codes(fake_shop)) == 1
    assert set(calls_since(fake_shopify, start)[1:]) == {200}


def test_a_refused_refresh_marks_the_shop_too(deliver, fake_shopify, fake_shop, rt, app):
    """The access token due for refresh and the refresh token revoked: one refresh, no more."""
    with rt.sessions.begin() as s:
        s.execute(update(Shop).where(Shop.domain == SHOP).values(access_token_expires_at=utcnow()))
    fake_shopify.revoke_tokens(SHOP)
    start, grants = len(fake_shopify.graphql_requests), len(token_grants(fake_shopify))

    deliver("customers/create", customer_body(CUSTOMER), drain_jobs=False)
    drain(app, raise_failures=False)

    assert [g["grant_type"] for g in token_grants(fake_shopify)[grants:]] == ["refresh_token"]
    assert calls_since(fake_shopify, start) == []
    assert stored_shop(rt).needs_authorisation_since is not None
    assert refresh_expiring_tokens() == {"refreshed": 0, "failed": 0}  # the periodic refresh too
    assert len(token_grants(fake_shopify)) == grants + 1


def test_the_sweeper_releases_the_jobs_of_a_shop_authorised_again(
    deliver, fake_shopify, fake_shop, rt, app, config
):
    """Authorised again while the release could not run (Redis away at that load): the push
    sweeper, every minute, puts the waiting jobs back."""
    fake_shopify.revoke_tokens(SHOP)
    deliver("customers/create", customer_body(CUSTOMER), drain_jobs=False)
    drain(app, raise_failures=False)
    install_with_fake_token(rt, fake_shopify, config)  # new tokens, nothing released
    assert stored_shop(rt).needs_authorisation_since is None

    assert sweep_pending_pushes() == 2
    drain(app)
    assert points_in_shopify(fake_shop) == "100" and len(welcome_codes(fake_shop)) == 1
    assert sweep_pending_pushes() == 0
