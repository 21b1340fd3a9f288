"""The ``klubb-member`` tag says "an active member of the club", in the fake Shopify: on after
joining, off while restricted (back when lifted), off with Klubb's metafields after leaving the
club or a ``customers/redact``."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jobs.engine import enqueue_balance_sync
from loyalty.core.models import Member
from tests.support.bodies import customer_body
from tests.support.jobs import drain
from tests.support.members import member_caller
from tests.support.shops import SHOP
from tests.worker.helpers import CUSTOMER

GID = f"gid://shopify/Customer/{CUSTOMER}"
TAG = "klubb-member"


def points_field(fake_shop):
    field = fake_shop.metafield(GID, "$app:loyalty", "points")
    return None if field is None else field.value


def member_id(rt):
    with rt.sessions() as s:
        return s.scalar(select(Member.id).where(Member.customer_id == CUSTOMER))


@pytest.mark.embedded
def test_restriction_from_the_widget_takes_the_tag_off_and_lifting_it_puts_it_back(
    deliver, proxy, fake_shop, app
):
    """Art. 18 from the storefront: the widget's call queues the push itself, so the member
    drops out of the merchant's tag-based marketing segments without any other change."""
    deliver("customers/create", customer_body(CUSTOMER))
    assert TAG in fake_shop.tags_of(GID) and points_field(fake_shop) == "100"
    me = member_caller(proxy)

    response = me("POST", "/restriction", json={}, customer_id=CUSTOMER)
    assert response.get_json() == {"status": "restricted"}
    drain(app)
    assert TAG not in fake_shop.tags_of(GID)
    assert points_field(fake_shop) == "100"  # the shopper still sees their own balance

    response = me("DELETE", "/restriction", json={}, customer_id=CUSTOMER)
    assert response.get_json() == {"status": "active"}
    drain(app)
    assert TAG in fake_shop.tags_of(GID)


def test_a_balance_sync_keeps_a_restricted_member_untagged(deliver, proxy, fake_shop, app, rt):
    deliver("customers/create", customer_body(CUSTOMER))
    member_caller(proxy)("POST", "/restriction", json={}, customer_id=CUSTOMER)
    drain(app)
    enqueue_balance_sync(rt, member_id(rt))
    drain(app)
    assert TAG not in fake_shop.tags_of(GID)


def test_leaving_the_club_takes_the_tag_and_the_balance_off(deliver, proxy, fake_shop, app, rt):
    deliver("customers/create", customer_body(CUSTOMER))
    departed = member_id(rt)
    me = member_caller(proxy)
    response = me("DELETE", json={"confirm": "LEAVE"}, customer_id=CUSTOMER)
    assert response.status_code == 200, response.get_json()
    drain(app)

    assert TAG not in fake_shop.tags_of(GID)
    assert points_field(fake_shop) is None
    enqueue_balance_sync(rt, departed)  # a sync queued before they left finds nobody to tag
    drain(app)
    assert TAG not in fake_shop.tags_of(GID)


def test_customers_redact_takes_the_tag_and_the_balance_off(deliver, fake_shop):
    deliver("customers/create", customer_body(CUSTOMER))
    deliver(
        "customers/redact",
        {
            "shop_id": 954889,
            "shop_domain": SHOP,
            "customer": {"id": CUSTOMER, "email": "kari@example.com", "phone": None},
            "orders_to_redact": [],
        },
    )

    assert TAG not in fake_shop.tags_of(GID)
    assert points_field(fake_shop) is None
