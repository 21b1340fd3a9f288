"""GET /healthz tells whether the database and Redis answer."""

from __future__ import annotations

import pytest


@pytest.mark.embedded
def test_healthz_is_ok_when_database_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


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
