"""Property: ``POST /webhooks`` answers every delivery with a stated 2xx or 4xx, and keeps a
record only of what Shopify signed (issue #15, "Proof in CI").

Hypothesis writes deliveries: bodies (arbitrary bytes, arbitrary JSON, Shopify's own recorded
bodies with a field replaced by an odd value), every header Shopify sends present, absent or
replaced by arbitrary text (of the characters gunicorn lets through: it refuses control
characters in headers before the app sees them), and a signature that is right, right with
padding, made with another secret, or any text at all. Then:

- never a 5xx;
- unsigned or forged (or empty): 401, and no row is written;
- signed: 200 and a row (``accepted``, ``ignored``; ``duplicate`` or ``requeued`` for an event
  id seen before, with no second row), or 400 with the row recorded as ``rejected``.

Derandomized and without Hypothesis's example database, so CI runs the same cases every time;
on both databases (the embedded run writes through SQLAlchemy, PostgreSQL's through the
intake's own connection).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from loyalty.core.config import DEMO_API_SECRET
from loyalty.core.models import EventStatus, WebhookEvent
from loyalty.shopify.signatures import webhook_signature
from tests.support.bodies import sample
from tests.support.jobs import drain
from tests.support.shops import SHOP
from webhooks.handlers import HANDLERS

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FUZZ_WORKER = settings(FUZZ, max_examples=60)

HEADER_TEXT = st.text(
    st.characters(codec="latin-1", blacklist_categories=["Cc"]) | st.just("\t"), max_size=120
)
"""Header values as gunicorn delivers them: Latin-1 text without control characters but tab."""

ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["²", "\u0000", "\ud800", "9223372036854775808", "", "0", "-1"]),
    st.just({}),
    st.just([]),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
COMPLIANCE = {
    "shop_id": 548380009,
    "shop_domain": SHOP,
    "customer": {"id": 7, "email": "kari@example.com", "phone": "+4791234567"},
    "orders_requested": [450789469],
    "orders_to_redact": [450789469],
    "data_request": {"id": 9999},
}
SHOP_UPDATE = {
    "id": 548380009,
    "name": "Klubb Test",
    "currency": "NOK",
    "iana_timezone": "Europe/Oslo",
    "primary_locale": "nb",
}
BODIES_BY_TOPIC: dict[str, Any] = {
    "orders/paid": "orders_paid",
    "orders/updated": "orders_paid",
    "orders/cancelled": "orders_paid",
    "refunds/create": "refunds_create",
    "customers/create": "customers_create",
    "customers/update": "customers_create",
    "customers/delete": "customers_create",
    "customers/data_request": COMPLIANCE,
    "customers/redact": COMPLIANCE,
    "shop/update": SHOP_UPDATE,
}
"""The topics whose handlers the worker property runs, and the body each starts from (a
recorded one by name). ``shop/redact`` and ``app/uninstalled`` are left out: they end the
shop that the following examples use."""
REFUSED_COMPLIANCE = {"InvalidComplianceRequest", "ShopDomainMismatch"}
"""A compliance request that cannot be carried out is marked failed for a person to see
(loyalty.privacy.compliance): Shopify's deadline runs, and the request must not vanish."""


@st.composite
def odd_body(draw: st.DrawFn, start: str | dict[str, Any]) -> dict[str, Any]:
    """A body (a recorded one by name, or ``start``) with one field replaced by an odd value:
    at the top, in its customer, or in its first line item."""
    body: dict[str, Any] = dict(sample(start) if isinstance(start, str) else start)
    where = draw(st.sampled_from(["top", "customer", "line"]))
    target = body
    if where == "customer" and isinstance(body.get("customer"), dict):
        target = body["customer"] = dict(body["customer"])
    elif where == "line" and body.get("line_items"):
        target = dict(body["line_items"][0])
        body["line_items"] = [target, *body["line_items"][1:]]
    target[draw(st.sampled_from(sorted(target)))] = draw(ODD_VALUES)
    return body


def recorded_with_an_odd_field() -> st.SearchStrategy[bytes]:
    """One of Shopify's recorded bodies with one field changed, as bytes."""
    starts = st.sampled_from(["orders_paid", "refunds_create", "customers_create"])
    return starts.flatmap(odd_body).map(lambda body: json.dumps(body).encode())


BODIES = st.one_of(
    st.binary(max_size=300),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=5).map(
        lambda v: json.dumps(v).encode()
    ),
    recorded_with_an_odd_field(),
)
TOPICS = st.sampled_from(sorted(HANDLERS)) | HEADER_TEXT
SHOPS = st.sampled_from([SHOP, "other-shop.myshopify.com"]) | HEADER_TEXT
SIGNATURES = st.sampled_from(["right", "padded", "other secret", "none", "text"])


@pytest.mark.slow
@pytest.mark.embedded
@FUZZ
@given(
    body=BODIES,
    signature=SIGNATURES,
    forged_text=HEADER_TEXT,
    topic=st.none() | TOPICS,
    shop_domain=st.none() | SHOPS,
    event_id=st.none() | HEADER_TEXT,
    webhook_id=st.none() | HEADER_TEXT,
    api_version=st.none() | st.just("2026-10") | HEADER_TEXT,
    triggered_at=st.none()
    | st.sampled_from(["2026-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59"])
    | HEADER_TEXT,
)
def test_every_delivery_gets_a_stated_answer_and_only_signed_ones_a_record(
    client,
    rt,
    shop,
    body: bytes,
    signature: str,
    forged_text: str,
    topic: str | None,
    shop_domain: str | None,
    event_id: str | None,
    webhook_id: str | None,
    api_version: str | None,
    triggered_at: str | None,
) -> None:
    hmac_header = {
        "right": webhook_signature(body, DEMO_API_SECRET),
        "padded": f"  {webhook_signature(body, DEMO_API_SECRET)} ",
        "other secret": webhook_signature(body, "not-the-app-secret"),
        "none": None,
        "text": forged_text,
    }[signature]
    # The intake's rule: an empty body is refused like an unsigned one (Shopify sends none).
    signed = signature in ("right", "padded") and body != b""
    headers = {
        "X-Shopify-Hmac-Sha256": hmac_header,
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-API-Version": api_version,
        "X-Shopify-Triggered-At": triggered_at,
        "Content-Type": "application/json",
    }
    before = _rows(rt)

    response = client.post(
        "/webhooks", data=body, headers={k: v for k, v in headers.items() if v is not None}
    )

    answer = response.get_json()
    assert response.status_code < 500, answer
    if not signed:
        assert response.status_code == 401, answer
        assert answer["error"]["code"] == "invalid_signature"
        assert _rows(rt) == before
    elif response.status_code == 400:
        assert answer["error"]["code"] == "invalid_webhook"
        assert _rows(rt) == before + 1
        assert _newest_status(rt) == EventStatus.REJECTED
    else:
        assert response.status_code == 200, answer
        new = answer["status"] in ("accepted", "ignored")
        assert answer["status"] in ("accepted", "ignored", "duplicate", "requeued")
        assert _rows(rt) == before + (1 if new else 0)


def _rows(rt: Any) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(WebhookEvent)) or 0)


def _newest_status(rt: Any) -> str:
    with rt.sessions() as s:
        return str(s.scalar(select(WebhookEvent.status).order_by(WebhookEvent.id.desc()).limit(1)))


@pytest.mark.slow
@pytest.mark.embedded
@FUZZ_WORKER
@given(data=st.data(), topic=st.sampled_from(sorted(BODIES_BY_TOPIC)))
def test_signed_bodies_with_odd_fields_are_processed_or_rejected_never_failed(
    rt, shop, post_webhook, data: st.DataObject, topic: str
) -> None:
    """An id that is no id (``"²"``, beyond BIGINT) reads as absent, text with a NUL is kept
    with U+FFFD, a wrong type is ignored: the worker finishes every event. Only a body without
    its own id is rejected, once, instead of failing and being retried forever."""
    body = data.draw(odd_body(BODIES_BY_TOPIC[topic]))

    response = post_webhook(topic, body)
    drain(rt, ["privacy", "webhooks"], raise_failures=False)

    assert response.status_code == 200, response.get_json()
    with rt.sessions() as s:
        event = s.scalars(select(WebhookEvent).order_by(WebhookEvent.id.desc()).limit(1)).one()
    finished = event.status in (EventStatus.PROCESSED, EventStatus.IGNORED, EventStatus.REJECTED)
    refused = event.status == EventStatus.FAILED and event.error in REFUSED_COMPLIANCE
    assert finished or refused, (topic, event.status, event.error)
