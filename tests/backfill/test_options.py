"""The merchant's choices: order window (60 days vs read_all_orders), signup bonus, points;
guests stay anonymous; what is created since the install is left to its webhooks."""

from __future__ import annotations

from sqlalchemy import func, select

from devtools.fake_shopify.fake import DEFAULT_SCOPES
from loyalty.core.models import DailyRollup, LedgerEntry, LedgerKind, Member, OrderRecord
from tests.backfill.helpers import KARI, OLA, ORDER_GUEST, ORDER_KARI, ORDER_OLD
from tests.support.bodies import Line, customer_body, order_body
from tests.support.jobs import drain
from tests.support.shops import SHOP


def recorded(rt):
    with rt.sessions() as s:
        return set(s.scalars(select(OrderRecord.order_id)))


def test_without_read_all_orders_the_last_60_days_are_recorded(backfill, rt, shop_id):
    progress = backfill(orders_since="all")  # asking for all cannot see past what Shopify shows
    assert progress["options"]["orders_since"] == "all"
    assert recorded(rt) == {ORDER_KARI, ORDER_GUEST}


def test_with_read_all_orders_every_order_is_recorded_by_default(backfill, rt, install):
    install(f"{DEFAULT_SCOPES},read_all_orders")
    progress = backfill()
    assert progress["options"]["orders_since"] == "all"
    assert progress["counts"]["orders_recorded"] == 3
    assert recorded(rt) == {ORDER_KARI, ORDER_GUEST, ORDER_OLD}


def test_a_shorter_window_is_asked_of_shopify(backfill, rt, fake_shopify, shop_id):
    progress = backfill(orders_since=7)
    assert progress["options"]["orders_since"] == 7
    assert progress["counts"]["orders_seen"] == 1
    assert recorded(rt) == {ORDER_GUEST}
    queries = [r for r in fake_shopify.graphql_requests if "bulkOperationRunQuery" in str(r)]
    assert any("processed_at:>=" in str(r) for r in queries)


def test_no_signup_bonus_unless_the_merchant_asks(backfill, rt, shop_id):
    backfill()
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 0
        assert s.scalar(select(func.count()).select_from(Member)) == 2

    backfill(signup_bonus=True)  # members already enrolled get no bonus later either
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_the_signup_bonus_when_asked(backfill, api, rt, shop_id):
    progress = backfill(signup_bonus=True)
    assert progress["counts"]["customers_enrolled"] == 2
    for customer in (KARI, OLA):
        member = api("GET", f"/api/members/{customer}").get_json()
        assert member["points_balance"] == 100
        assert [e["kind"] for e in member["ledger"]] == ["bonus"]
    with rt.sessions() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(LedgerEntry)
                .where(LedgerEntry.kind == LedgerKind.EARN)
            )
            == 0
        )


def test_no_one_is_enrolled_when_the_shop_does_not_auto_enrol(backfill, api, rt, shop_id):
    assert api("PUT", "/api/settings", json={"auto_enrol": False}).status_code == 200
    progress = backfill(award_points=True)
    assert progress["counts"]["customers_seen"] == 2
    assert progress["counts"]["customers_enrolled"] == 0
    assert progress["counts"]["orders_awarded"] == 0
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 0
        assert recorded(rt) == {ORDER_KARI, ORDER_GUEST}  # still recorded for analytics


def test_guest_orders_are_recorded_without_personal_data(backfill, rt, shop_id):
    backfill(award_points=True)
    with rt.sessions() as s:
        guest = s.scalars(select(OrderRecord).where(OrderRecord.order_id == ORDER_GUEST)).one()
        assert guest.customer_id is None and guest.member_id is None
        assert guest.paid and str(guest.paid_subtotal) == "99.0000"
        assert s.scalar(select(func.sum(DailyRollup.guest_orders))) == 1
        assert s.scalar(select(func.sum(DailyRollup.member_orders))) == 1
        columns = {c.name for c in OrderRecord.__table__.columns}
        assert not columns & {"email", "phone", "first_name", "last_name", "name"}


def test_a_customer_who_left_the_club_is_not_enrolled_again(backfill, api, rt, config, shop_id):
    from loyalty.core.models import Tombstone, TombstoneReason
    from loyalty.members.enrolment import customer_hashes
    from loyalty.privacy.compliance import customer_hash_key

    with rt.sessions.begin() as s:
        digest = customer_hashes(customer_hash_key(config), shop_id, OLA)[0]
        s.add(Tombstone(shop_id=shop_id, customer_hash=digest, reason=TombstoneReason.LEFT))

    progress = backfill(signup_bonus=True)

    assert progress["counts"]["customers_seen"] == 2
    assert progress["counts"]["customers_enrolled"] == 1
    assert api("GET", f"/api/members/{OLA}").status_code == 404


def test_customers_and_orders_created_since_the_install_are_left_to_their_webhooks(
    backfill, api, app, rt, fake_shopify, fake_shop, shop_id
):
    newcomer, order = 820982911946154599, 5_600_000_000_099
    fake_shopify.advance(5)
    gid = fake_shop.add_customer(newcomer, "Nils", "Ny", "nils@example.com")
    fake_shop.add_order(order, customer=gid, subtotal="80.00")

    progress = backfill(award_points=True)

    assert progress["counts"]["customers_seen"] == 3
    assert progress["counts"]["customers_enrolled"] == 2
    assert progress["counts"]["orders_seen"] == 3
    assert progress["counts"]["orders_recorded"] == 2
    assert api("GET", f"/api/members/{newcomer}").status_code == 404
    assert order not in recorded(rt)

    # Their webhooks then enrol the new customer as new (bonus) and earn on the order.
    for topic, body in (
        ("customers/create", customer_body(newcomer)),
        ("orders/paid", order_body(order, [Line(1, "80.00")], customer_id=newcomer)),
    ):
        assert fake_shopify.send_webhook(topic, SHOP, body).status_code == 200
        drain(app)
    assert api("GET", f"/api/members/{newcomer}").get_json()["points_balance"] == 100 + 80
