"""Every topic the app subscribes to has a handler, and every handler a subscription."""

from __future__ import annotations

from jobs.queueing import COMPLIANCE_TOPICS, queue_for
from loyalty.core.config import Config
from webhooks.handlers import HANDLERS


def test_handlers_match_the_subscriptions_in_shopify_app_toml():
    toml = Config().app_toml
    assert set(HANDLERS) == set(toml.topics) | set(toml.compliance_topics)


def test_the_compliance_topics_are_declared_as_compliance_topics():
    assert set(Config().app_toml.compliance_topics) == COMPLIANCE_TOPICS


def test_gdpr_work_has_its_own_queue():
    assert {queue_for(t) for t in COMPLIANCE_TOPICS} == {"privacy"}
    assert {queue_for(t) for t in HANDLERS if t not in COMPLIANCE_TOPICS} == {"webhooks"}
