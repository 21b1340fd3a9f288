"""GET /healthz tells whether the database and Redis answer, and whether the scheduler beats."""

from __future__ import annotations

import pytest

from jobs.scheduler import LATE_AFTER
from tests.support.jobs import beat_scheduler


@pytest.mark.embedded
def test_healthz_is_ok_when_database_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "scheduler": "late"}  # none runs here


@pytest.mark.embedded
def test_healthz_reports_the_schedulers_heartbeat_without_failing_on_it(client, rt):
    """A heartbeat within LATE_AFTER seconds is ``ok``; an older one is ``late``, still 200."""
    beat_scheduler(rt, seconds_ago=5)
    assert client.get("/healthz").get_json() == {"status": "ok", "scheduler": "ok"}

    beat_scheduler(rt, seconds_ago=LATE_AFTER + 5)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "scheduler": "late"}


def test_healthz_is_503_when_redis_is_down(client, rt, monkeypatch, dead_redis):
    """A Redis that does not answer makes the app unhealthy, not crash."""

    monkeypatch.setattr(rt, "redis", dead_redis)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["redis"]


def test_healthz_is_503_when_the_database_is_down(client, rt, monkeypatch):
    from sqlalchemy import create_engine

    dead = create_engine(
        "postgresql+psycopg://127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    monkeypatch.setattr(rt, "engine", dead)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["database"]
