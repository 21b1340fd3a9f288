"""Tombstones are keyed by a dedicated, stable key: a redacted customer stays blocked after the
app's secret is rotated, and after the previous secret is dropped (decisions: "Tombstone key")."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loyalty.core.config import Config
from loyalty.core.models import Member, OrderRecord, Tombstone, TombstoneReason
from loyalty.core.types import utcnow
from loyalty.members.enrolment import customer_hashes, tombstone_reason
from loyalty.privacy.compliance import customer_hash_key, customer_hash_keys
from tests.support.jobs import drain
from tests.support.people import INGEBORG, customer_payload, order_payload, redact_payload
from tests.support.tables import tombstones

OLD_SECRET = "the-secret-before-rotation-0123456789"
NEW_SECRET = "the-secret-after-rotation-9876543210"
STABLE_KEY = "a-dedicated-customer-hash-key-never-rotated"


def members_of(rt, customer_id):
    """(status, email) of every member row of the customer."""
    with rt.sessions() as s:
        rows = s.execute(
            select(Member.status, Member.email).where(Member.customer_id == customer_id)
        )
        return [tuple(row) for row in rows]


def use(rt, monkeypatch, **overrides):
    monkeypatch.setattr(rt, "config", rt.config.with_overrides(**overrides))


@pytest.mark.embedded
def test_a_tombstone_written_before_a_secret_rotation_blocks_re_enrolment_after_it(
    app, rt, shop_id, ingeborg, post_webhook, monkeypatch
):
    use(rt, monkeypatch, shopify_api_secret=OLD_SECRET, customer_hash_key=STABLE_KEY)
    post_webhook("customers/redact", redact_payload(INGEBORG), secret=OLD_SECRET)
    drain(app)
    [stone] = tombstones(rt.sessions)
    assert stone.reason == TombstoneReason.REDACTED

    # Rotation: the new secret signs, the old one is still accepted; then it is dropped.
    for previous in (OLD_SECRET, None):
        use(
            rt,
            monkeypatch,
            shopify_api_secret=NEW_SECRET,
            shopify_api_secret_previous=previous,
            customer_hash_key=STABLE_KEY,
        )
        order_id = INGEBORG.order_ids[0] + (1 if previous else 2)
        for topic, payload in (
            ("customers/create", customer_payload(INGEBORG)),
            ("orders/paid", order_payload(INGEBORG, order_id)),
        ):
            assert post_webhook(topic, payload, secret=NEW_SECRET).status_code == 200
        drain(app)
        # The anonymised row (redact keeps the id), and no personal data nor a new member.
        assert members_of(rt, INGEBORG.customer_id) == [("anonymised", None)]
        with rt.sessions() as s:
            assert (
                s.scalar(select(OrderRecord.customer_id).where(OrderRecord.order_id == order_id))
                is None
            )
    assert [(t.customer_hash, t.reason) for t in tombstones(rt.sessions)] == [
        (stone.customer_hash, TombstoneReason.REDACTED)
    ]


def test_the_writing_key_is_the_dedicated_one_and_ignores_the_secrets():
    before = Config(shopify_api_secret=OLD_SECRET, customer_hash_key=STABLE_KEY)
    during = before.with_overrides(
        shopify_api_secret=NEW_SECRET, shopify_api_secret_previous=OLD_SECRET
    )
    after = during.with_overrides(shopify_api_secret_previous=None)
    assert customer_hash_key(before) == customer_hash_key(during) == customer_hash_key(after)
    assert customer_hash_key(before) != customer_hash_key(Config(shopify_api_secret=OLD_SECRET))
    assert len(set(customer_hash_keys(during))) == 3  # dedicated, then each secret's


def test_the_dedicated_key_is_read_from_the_environment():
    env = {"KLUBB_CUSTOMER_HASH_KEY": STABLE_KEY, "SHOPIFY_API_SECRET": NEW_SECRET}
    assert Config.from_env(env).customer_hash_key == STABLE_KEY
    assert Config.from_env({}).customer_hash_key is None


def test_tombstones_written_before_the_dedicated_key_was_set_are_still_found(rt, shop_id):
    """An installation that adds the key keeps its older tombstones while their secret stays."""
    legacy = Config(shopify_api_secret=OLD_SECRET)
    with rt.sessions.begin() as s:
        s.add(
            Tombstone(
                shop_id=shop_id,
                customer_hash=customer_hashes(customer_hash_key(legacy), shop_id, 4242)[0],
                reason=TombstoneReason.LEFT,
                created_at=utcnow(),
            )
        )
    configured = legacy.with_overrides(customer_hash_key=STABLE_KEY)
    rotating = configured.with_overrides(
        shopify_api_secret=NEW_SECRET, shopify_api_secret_previous=OLD_SECRET
    )
    with rt.sessions() as s:
        for config in (legacy, configured, rotating):
            found = tombstone_reason(s, shop_id, 4242, customer_hash_keys(config))
            assert found == TombstoneReason.LEFT
