"""Schemathesis against both OpenAPI documents: no server error, every answer as documented.

Issue #15's proof in CI. Every operation of ``GET /api/openapi.json`` (called with a valid
session token) and of ``GET /api/openapi/proxy.json`` (signed by
:class:`tests.support.http.AppProxy`, as Shopify's app proxy signs) gets generated requests,
valid and invalid ones. Each answer must be no 5xx; a status, content type, body and headers the
document names; and a valid request must not be refused (400 or 422) for its shape, except where
a rule JSON Schema cannot state decides (:data:`UNSTATED`, each said in the document's text).
A method a path lacks (405 with ``Allow``) is tests/platform/test_method_not_allowed.py's.

Bounded for CI (a few hundred requests): Schemathesis's boundary cases of valid requests, and
:data:`EXAMPLES` generated valid and invalid ones per operation, derandomised, without
shrinking. The documents are read as the app serves them, from an app built at import on
servers it never reaches (the documents need no database). The requests go to one app per
module and xdist worker, on the worker's database, seeded once: the operations run one after
the other on the state the earlier ones left, as a merchant's and a shopper's calls do.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from loyalty.core.config import Config
from loyalty.core.models import EventStatus, PrivacyRequest, Reward, WebhookEvent
from loyalty.core.payloads import parse_time
from loyalty.core.types import utcnow
from runtime import current_runtime
from tests.support.app import built_app
from tests.support.config import free_port, klubb_config
from tests.support.http import AppProxy, session_token
from tests.support.people import INGEBORG, seed_customer
from tests.support.shops import SHOP, SHOP_A, store_shop

pytestmark = pytest.mark.slow

EXAMPLES = 5
"""Generated requests per operation, valid and invalid (on top of the boundary cases)."""

UNSTATED = {
    "read_analytics": "`from` and `to`: days up to today, `to` not before `from`, 731 at most",
    "export_analytics_csv": "the same period as `read_analytics`",
    "list_members": "`after`: only a cursor the previous page gave, for the same `sort`; "
    "`max_balance` not below `min_balance`",
    "export_members_csv": "`max_balance` not below `min_balance`",
    "create_import": "`file`: a readable CSV of members, sent as a file (with a file name)",
    "add_reward": "free_product: `variant_id` one of the shop's variants in Shopify; "
    "store_credit only where the shop granted Klubb store credit",
    "change_reward": "the reward after the change is checked as a whole: `value` by the "
    "stored `kind`; a free product's `variant_id` in Shopify",
    "update_me": "`birthday`: not after today",
    "write_settings": "`quiet_hours`: `end` other than `start`",
    "claim_follow": "`network`: one the shop gives points for following (a profile set)",
    "add_segment": "`filter`: `min` not above `max`, an `…_after` before its `…_before`, "
    "`tier` one of the shop's tiers",
    "change_segment": "the same `filter` rules as `add_segment`",
    "add_campaign": "`segment_id`: one of the shop's segments; merge fields (`{code}` only "
    "with a code offer) and the SMS's length with its opt-out link; an offer's value by its "
    "discount, a double-points window's end after its start",
    "schedule_campaign": "`send_at`: not in the past; somebody in the segment consented; a "
    "double-points window not starting before it",
    "preview_campaign": "the same rules as `add_campaign`; `price_per_segment` a decimal",
    "send_campaign_test": "`to`: a phone number or an email address, by the campaign's channel",
    "add_tier": "the ladder as a whole: thresholds increase with the position, one basis and "
    "period for every tier, at most 10 tiers",
    "change_tier": "the ladder as a whole, as for `add_tier`",
    "change_ladder": "`tiers`: every tier of the shop once, by its id; thresholds increase",
    "remove_tier": "`move_to`: another tier of the shop",
    "add_stamp_card": "at least one product or collection",
    "change_stamp_card": "the card as changed counts at least one product or collection",
    "sign_up": "`code`: a code of a member of this shop, which takes referrals; `email`: not the "
    "referrer's, referred once, of no customer who has ordered",
    "add_voucher_rule": "`threshold` and `voucher.amount` more than 0; `period_days` given "
    "(1 to 366) exactly when the period is `rolling_days`",
    "change_voucher_rule": "the rule as changed, as for `add_voucher_rule`",
}
"""Operations whose valid requests may still be refused (422) by a rule JSON Schema cannot
state, by operation id, with the rule (the document says it in words). Their other checks run."""

PROVIDER_CALLS = {
    "send_test_sms": "the shop's SMS provider: none answers here (TWILIO_API_BASE and "
    "SVEVE_API_BASE are a closed loopback port), so a message sent is the documented 503",
    "send_test_email": "the shop's mail server, at whatever host and port the generated "
    "settings named: the documented 503 when nothing answers there",
    "send_campaign_test": "the campaign's test message, through the shop's provider as "
    "`send_test_sms` and `send_test_email`",
}
"""Operations that hand a message to an outside provider, where 503 is the documented answer
when it does not answer (tests/messaging/ covers them against loopback fakes); the check that
no answer is a 5xx is off for them, the others run (the 503 and its ``Retry-After`` are
checked against the document like every answer)."""


def settings_for(*, proxy: bool) -> schemathesis.Config:
    """Schemathesis's configuration: the checks above, bounded and repeatable."""
    checks: dict[str, Any] = {
        name: {"enabled": True}
        for name in (
            "not_a_server_error",
            "status_code_conformance",
            "content_type_conformance",
            "response_schema_conformance",
            "response_headers_conformance",
            "positive_data_acceptance",
            "missing_required_header",
        )
    }
    # AppProxy signs every request, a probe "without auth" too: unsigned requests are
    # tests/widget/test_proxy_auth.py's.
    checks["ignored_auth"] = {"enabled": not proxy}
    for name in ("negative_data_rejection", "use_after_free", "ensure_resource_availability"):
        checks[name] = {"enabled": False}
    return schemathesis.Config.from_dict(
        {
            "seed": 15,
            "generation": {
                "max-examples": EXAMPLES,
                "deterministic": True,
                "no-shrink": True,
                # A NUL character is refused in any text (422), a rule both documents state in
                # words rather than in every string's schema; the input tests send it.
                "allow-x00": False,
            },
            # Boundary cases of valid requests only: there are thousands of invalid ones.
            "phases": {
                "coverage": {"generation": {"mode": "positive"}},
                "stateful": {"enabled": False},
            },
            "checks": checks,
            "operations": [
                {
                    "include-operation-id": list(UNSTATED),
                    "checks": {"positive_data_acceptance": {"enabled": False}},
                },
                {
                    "include-operation-id": list(PROVIDER_CALLS),
                    "checks": {"not_a_server_error": {"enabled": False}},
                },
            ],
        }
    )


def served_document(path: str) -> dict[str, Any]:
    """The document as the app serves it (no database or Redis is reached for it)."""
    from app import create_app

    config = Config(
        testing=True,
        instance_path=Path(tempfile.mkdtemp(prefix="klubb-openapi-")),
        database_url="sqlite://",
        redis_url="redis://127.0.0.1:1",
    )
    document: dict[str, Any] = create_app(config).test_client().get(path).get_json()
    return document


admin_api = schemathesis.openapi.from_dict(
    served_document("/api/openapi.json"), config=settings_for(proxy=False)
)
proxy_api = schemathesis.openapi.from_dict(
    served_document("/api/openapi/proxy.json"), config=settings_for(proxy=True)
)


@admin_api.auth(refresh_interval=None)
class SessionToken:
    """A fresh App Bridge session token of shop A's staff user for every request."""

    def get(self, case: Any, context: Any) -> str:
        return session_token(SHOP_A)

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


KNOWN_IDS = {
    "customer_id": str(INGEBORG.customer_id),
    "reward_id": "4242",
    "request_id": "4243",
    "event_id": "4244",
}
"""Ids of rows :func:`api_app` stores; half the generated ids of those names are swapped for
them, so requests reach the answers of real rows as well as the 404s of random ids."""


@admin_api.hook
@proxy_api.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    known = {k: KNOWN_IDS[k] for k in path_parameters or {} if k in KNOWN_IDS}
    if not known:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**(path_parameters or {}), **known}])


@admin_api.hook
def filter_body(context: Any, body: Any) -> bool:
    """Generated rewards keep the rule across fields the schema says in words: a reward ends
    after it starts."""
    if not isinstance(body, dict):
        return True
    starts, ends = parse_time(body.get("starts_at")), parse_time(body.get("ends_at"))
    return not (starts and ends and ends <= starts)


@pytest.fixture(scope="module")
def api_app(
    database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The app for every operation of the module, with shop A (the admin's) and the test shop
    (the proxy's), each with Ingeborg as a member with a history, a reward and redemptions;
    shop A also the rows of :data:`KNOWN_IDS`. No fake Shopify runs: calls to Shopify fail
    (the documented 502s and 503s, or a redemption that waits for its job)."""
    instance = tmp_path_factory.mktemp("instance")
    config = klubb_config(database_url, redis_url, instance, free_port(), free_port())
    with built_app(config) as app:
        with app.app_context():
            sessions = current_runtime().sessions
            shops = {
                domain: store_shop(sessions, domain, currency="NOK").id for domain in (SHOP_A, SHOP)
            }
            for shop_id in shops.values():
                seed_customer(sessions, shop_id, INGEBORG)
            seed_known_rows(sessions, shops[SHOP_A])
        yield app


def seed_known_rows(sessions: Any, shop_id: int) -> None:
    """A percentage reward, a completed data request with its export, and a failed event."""
    now = utcnow()
    with sessions.begin() as s:
        s.add(
            Reward(
                id=int(KNOWN_IDS["reward_id"]),
                shop_id=shop_id,
                kind="percentage",
                title="10 % off",
                points_cost=200,
                value=Decimal("0.1"),
            )
        )
        s.add(
            PrivacyRequest(
                id=int(KNOWN_IDS["request_id"]),
                shop_id=shop_id,
                kind="data_request",
                shopify_request_id="9999",
                received_at=now,
                due_at=now,
                completed_at=now,
                export_json='{"customer": {"id": 191167}}',
            )
        )
        s.add(
            WebhookEvent(
                id=int(KNOWN_IDS["event_id"]),
                event_id="evt-failed-1",
                topic="orders/paid",
                shop_domain=SHOP_A,
                shop_id=shop_id,
                status=EventStatus.FAILED,
                attempts=3,
                error="RuntimeError",
                body=b"{}",
            )
        )


@pytest.fixture
def app(api_app: Flask) -> Iterator[Flask]:
    """The module's app, with Redis emptied before each operation: rate limits and
    idempotency keys start afresh (the database keeps what earlier operations did)."""
    with api_app.app_context():
        current_runtime().redis.flushdb()
    yield api_app


def call_and_validate(case: Any, app: Any) -> None:
    """Send the case to ``app`` and run the checks; their own probes (the call without auth, a
    required header left out) go to the same app."""
    case.operation.app = case.operation.schema.app = app
    case.call_and_validate()


@admin_api.parametrize()
@settings(suppress_health_check=list(HealthCheck))
def test_the_admin_api_answers_as_documented(case: Any, app: Flask) -> None:
    call_and_validate(case, app)


@proxy_api.parametrize()
@settings(suppress_health_check=list(HealthCheck))
def test_the_proxy_api_answers_as_documented(case: Any, app: Flask) -> None:
    call_and_validate(case, AppProxy(app, INGEBORG.customer_id))
