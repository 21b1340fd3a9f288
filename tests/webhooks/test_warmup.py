"""A forking worker warms SQLAlchemy's statement cache before it forks, and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jobs.warmup import warm_statement_cache
from jobs.worker import AppWorker
from loyalty.core.models import LedgerEntry, Member, OrderRecord, Shop, WebhookEvent


def no_rows(rt) -> None:
    with rt.sessions() as s:
        for model in (Shop, WebhookEvent, Member, OrderRecord, LedgerEntry):
            assert s.scalar(select(func.count()).select_from(model)) == 0, model.__name__


@pytest.mark.postgres
def test_the_warm_up_runs_the_order_path_and_leaves_no_trace(rt):
    cache = rt.engine._compiled_cache
    cache.clear()
    assert warm_statement_cache(rt.engine) is True
    assert len(cache) >= 15  # the event, enrolment, settlement and rollup statements
    no_rows(rt)


@pytest.mark.postgres
def test_a_forking_worker_starts_warm(app, rt):
    rt.engine._compiled_cache.clear()
    AppWorker(["webhooks"], runtime=app.extensions["klubb"])
    assert len(rt.engine._compiled_cache) >= 15


@pytest.mark.embedded
def test_on_sqlite_there_is_no_warm_up(rt):
    if rt.engine.dialect.name != "sqlite":
        pytest.skip("the embedded database only")
    assert warm_statement_cache(rt.engine) is False
    no_rows(rt)
