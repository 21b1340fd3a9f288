"""customers/redact: no personal data of the customer survives anywhere (invariant 8)."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from loyalty.core.models import (
    AuditLog,
    EventStatus,
    LedgerEntry,
    Member,
    OrderRecord,
    PrivacyRequestKind,
    TombstoneReason,
    WebhookEvent,
)
from loyalty.members.enrolment import customer_hash, get_or_enrol
from loyalty.privacy.compliance import customer_hash_key
from tests.support.jobs import drain
from tests.support.people import (
    INGEBORG,
    SOLVEIG,
    customer_payload,
    data_request_payload,
    order_payload,
    redact_payload,
    seed_customer,
)
from tests.support.tables import cells_containing, privacy_requests, tombstones

KIND = PrivacyRequestKind.CUSTOMER_REDACT


def member_row(rt, member_id) -> Member:
    with rt.sessions() as s:
        return s.get(Member, member_id)


def deliver_history(post_webhook, app) -> None:
    """Webhooks about Ingeborg the shop sent before the redact (handled or merely recorded)."""
    post_webhook("customers/update", customer_payload(INGEBORG))
    post_webhook("orders/paid", order_payload(INGEBORG, INGEBORG.order_ids[1]))
    post_webhook(
        "refunds/create", {"id": 5550001, "order_id": INGEBORG.order_ids[0], "note": "size"}
    )
    post_webhook("customers/data_request", data_request_payload(INGEBORG))
    drain(app, raise_failures=False)


def test_after_redact_no_text_column_of_any_table_holds_the_customers_name_email_or_phone(
    app, rt, shop_id, ingeborg, post_webhook, caplog
):
    """The scan is generic: every string, text, binary and JSON column of every table."""
    seed_customer(rt.sessions, shop_id, SOLVEIG)
    deliver_history(post_webhook, app)
    assert cells_containing(rt.sessions, INGEBORG.personal_data), "the seed holds her data"

    caplog.set_level(logging.DEBUG)
    post_webhook("customers/redact", redact_payload(INGEBORG))
    drain(app)

    assert cells_containing(rt.sessions, INGEBORG.personal_data) == []
    assert not [n for n in INGEBORG.personal_data if n.lower() in caplog.text.lower()]
    # Solveig, another member of the same shop, is untouched.
    assert set(cells_containing(rt.sessions, SOLVEIG.personal_data)) >= {
        "members.first_name",
        "members.email",
        "members.phone",
    }


def test_amounts_and_dates_stay_while_the_member_becomes_anonymous(
    app, rt, shop_id, ingeborg, post_webhook
):
    with rt.sessions() as s:
        before = s.execute(
            select(LedgerEntry.points, LedgerEntry.kind, LedgerEntry.created_at).order_by(
                LedgerEntry.id
            )
        ).all()
    post_webhook("customers/redact", redact_payload(INGEBORG))
    drain(app)

    member = member_row(rt, ingeborg.member_id)
    assert member.status == "anonymised" and member.points_balance == ingeborg.balance
    assert (member.first_name, member.email, member.phone, member.birthday, member.notes) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert member.joined_at is not None and member.email_consent is False
    with rt.sessions() as s:
        after = s.execute(
            select(LedgerEntry.points, LedgerEntry.kind, LedgerEntry.created_at).order_by(
                LedgerEntry.id
            )
        ).all()
        why = s.execute(
            select(LedgerEntry.kind, LedgerEntry.reason_code, LedgerEntry.reason)
            .where(LedgerEntry.member_id == ingeborg.member_id)
            .order_by(LedgerEntry.id)
        ).all()
        orders = list(s.scalars(select(OrderRecord)))
        details = list(s.scalars(select(AuditLog.detail)))
    assert after == before
    # The free text (the staff's words about her) is gone; each entry keeps its reason code,
    # and Klubb's own fixed words stay.
    assert why == [
        ("bonus", "signup_bonus", "signup bonus"),
        ("earn", "order", f"order {INGEBORG.order_ids[0]}"),
        ("adjust", "staff_adjustment", None),
    ]
    assert {(o.customer_id, o.member_id, str(o.total)) for o in orders} == {
        (None, ingeborg.member_id, "1250.0000")
    }
    assert details == [None, None]

    [tombstone] = tombstones(rt.sessions)
    key = customer_hash_key(rt.config)
    assert tombstone.customer_hash == customer_hash(key, shop_id, INGEBORG.customer_id)
    assert tombstone.reason == TombstoneReason.REDACTED
    [request] = privacy_requests(rt.sessions, KIND)
    assert request.completed_at is not None and request.member_id == ingeborg.member_id
    # Only the unused code awaits deletion in Shopify (the used one is spent).
    assert json.loads(request.export_json)["discount_ids"] == [
        f"gid://shopify/DiscountCodeNode/{INGEBORG.customer_id}1"
    ]


def test_raw_bodies_about_the_customer_are_erased_and_others_kept(
    app, rt, shop_id, ingeborg, post_webhook
):
    deliver_history(post_webhook, app)
    post_webhook("orders/paid", order_payload(SOLVEIG, SOLVEIG.order_ids[0]), event_id="hers")
    post_webhook("customers/redact", redact_payload(INGEBORG), event_id="redact")
    drain(app, raise_failures=False)
    with rt.sessions() as s:
        events = {e.event_id: e for e in s.scalars(select(WebhookEvent))}
    assert events["hers"].body is not None
    assert events["redact"].body is None and events["redact"].status == EventStatus.PROCESSED
    assert [e.topic for e in events.values() if e.body is not None] == ["orders/paid"]


@pytest.mark.embedded
def test_a_customer_never_seen_gets_a_tombstone_and_a_completed_request(
    app, rt, shop_id, post_webhook
):
    post_webhook("customers/redact", redact_payload(SOLVEIG))
    drain(app)
    [request] = privacy_requests(rt.sessions, KIND)
    assert request.completed_at is not None and request.member_id is None
    assert json.loads(request.export_json)["discount_ids"] == []
    assert [t.reason for t in tombstones(rt.sessions)] == [TombstoneReason.REDACTED]


@pytest.mark.embedded
def test_the_same_redact_twice_or_with_a_new_event_id_changes_nothing_more(
    app, rt, shop_id, ingeborg, post_webhook
):
    post_webhook("customers/redact", redact_payload(INGEBORG), event_id="r-1")
    post_webhook("customers/redact", redact_payload(INGEBORG), event_id="r-1")
    drain(app)
    first = privacy_requests(rt.sessions, KIND)
    post_webhook("customers/redact", redact_payload(INGEBORG), event_id="r-2")
    drain(app)
    again = privacy_requests(rt.sessions, KIND)
    assert [(r.id, r.completed_at, r.export_json) for r in again] == [
        (r.id, r.completed_at, r.export_json) for r in first
    ]
    assert len(tombstones(rt.sessions)) == 1
    with rt.sessions() as s:
        actions = list(s.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions == ["member.updated", "privacy.customer_redacted"]


def test_late_webhooks_about_a_redacted_customer_bring_no_personal_data_back(
    app, rt, shop_id, ingeborg, post_webhook
):
    post_webhook("customers/redact", redact_payload(INGEBORG))
    drain(app)
    post_webhook("customers/update", customer_payload(INGEBORG))
    post_webhook("orders/paid", order_payload(INGEBORG, 777001))
    drain(app, raise_failures=False)

    member = member_row(rt, ingeborg.member_id)
    assert (member.status, member.first_name, member.email, member.phone) == (
        "anonymised",
        None,
        None,
        None,
    )
    with rt.sessions() as s:
        assert (
            s.scalar(select(OrderRecord.customer_id).where(OrderRecord.order_id == 777001)) is None
        )
        # The members module refuses to enrol (or re-enrol) a tombstoned customer.
        key = customer_hash_key(rt.config)
        assert get_or_enrol(s, shop_id, INGEBORG.customer_id, hash_key=key) is None
        assert get_or_enrol(s, shop_id, SOLVEIG.customer_id, hash_key=key) is not None
        s.rollback()
    tables = {c.split(".")[0] for c in cells_containing(rt.sessions, INGEBORG.personal_data)}
    assert tables <= {"webhook_events"}, "only the late raw bodies, until retention"


def test_a_redact_naming_another_shop_is_refused_and_changes_nothing(
    app, rt, shop_id, ingeborg, post_webhook, caplog
):
    caplog.set_level(logging.DEBUG)
    payload = redact_payload(INGEBORG, shop="someone-else.myshopify.com")
    post_webhook("customers/redact", payload, event_id="forged-shop")
    drain(app, raise_failures=False)
    with rt.sessions() as s:
        event = s.scalars(select(WebhookEvent)).one()
    assert (event.status, event.error) == (EventStatus.FAILED, "ShopDomainMismatch")
    assert member_row(rt, ingeborg.member_id).email == INGEBORG.email
    assert tombstones(rt.sessions) == [] and privacy_requests(rt.sessions) == []
    assert INGEBORG.email not in caplog.text and INGEBORG.phone not in caplog.text
