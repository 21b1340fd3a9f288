"""The compliance topics at the door: signed or refused, routed to the privacy queue, parsed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jobs.queueing import COMPLIANCE_TOPICS, queue_for
from loyalty.core.models import Base, Member
from loyalty.privacy.compliance import (
    InvalidComplianceRequest,
    ShopDomainMismatch,
    parse_customer_request,
)
from loyalty.privacy.webhook_bodies import mentions_customer
from tests.support.jobs import drain
from tests.support.people import INGEBORG, data_request_payload, redact_payload
from tests.support.shops import SHOP
from webhooks.handlers import HANDLERS

PAYLOADS = {
    "customers/data_request": data_request_payload(INGEBORG),
    "customers/redact": redact_payload(INGEBORG),
    "shop/redact": {"shop_id": 954889, "shop_domain": SHOP},
}


def row_counts(rt) -> dict[str, int]:
    with rt.sessions() as s:
        return {
            t.name: s.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }


@pytest.mark.embedded
def test_the_three_compliance_topics_have_handlers_on_the_privacy_queue():

    assert set(PAYLOADS) == COMPLIANCE_TOPICS
    assert set(HANDLERS) >= COMPLIANCE_TOPICS
    assert {queue_for(topic) for topic in COMPLIANCE_TOPICS} == {"privacy"}


@pytest.mark.parametrize("topic", sorted(PAYLOADS))
def test_a_bad_hmac_gets_401_and_changes_nothing(app, rt, shop, ingeborg, post_webhook, topic):
    before = row_counts(rt)
    response = post_webhook(topic, PAYLOADS[topic], secret="forged-secret")
    assert response.status_code == 401
    assert drain(app) == 0
    assert row_counts(rt) == before
    with rt.sessions() as s:
        assert s.get(Member, ingeborg.member_id).email == INGEBORG.email


@pytest.mark.embedded
def test_a_request_is_parsed_and_its_shop_checked():
    request = parse_customer_request(data_request_payload(INGEBORG), SHOP.upper())
    assert (request.customer_id, request.request_id, request.email) == (
        INGEBORG.customer_id,
        "9999",
        INGEBORG.email,
    )
    assert request.order_ids == tuple(sorted((*INGEBORG.order_ids, 220458)))
    with pytest.raises(ShopDomainMismatch):
        parse_customer_request(redact_payload(INGEBORG, shop="x.myshopify.com"), SHOP)
    with pytest.raises(InvalidComplianceRequest):
        parse_customer_request({"shop_domain": SHOP, "customer": {"id": None}}, SHOP)
    with pytest.raises(InvalidComplianceRequest):
        parse_customer_request({"customer": {"id": 1}}, SHOP)


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("topic", "body", "mentions"),
    [
        ("customers/update", b'{"id": 191167, "first_name": "X"}', True),
        ("customers/update", b'{"id": 1911670}', False),
        ("orders/paid", b'{"id": 299938, "customer": null}', True),
        ("orders/paid", b'{"id": 5, "customer": {"id": 191167}}', True),
        ("orders/paid", b'{"id": 5, "total_price": "191167.00"}', False),
        ("refunds/create", b'{"id": 9, "order_id": 299938}', True),
        ("orders/paid", b'{"id": 5, "email": "Someone@Example.no"}', True),
        ("orders/paid", b"not json 191167", True),
    ],
)
def test_a_body_mentions_the_customer_by_id_order_or_contact(topic, body, mentions):
    found = mentions_customer(topic, body, 191167, frozenset({299938}), ["someone@example.no"])
    assert found is mentions
