"""With Redis or the database down, the widget answers 503 (try again), never 500, and changes
nothing: a change that cannot be de-duplicated is not made."""

from __future__ import annotations

from sqlalchemy import create_engine, select

from loyalty.core.db import make_session_factory
from loyalty.core.models import Member
from tests.support.members import CID


def test_a_change_while_redis_is_down_is_503_and_changes_nothing(
    me, rt, ingeborg, monkeypatch, dead_redis
):
    monkeypatch.setattr(rt, "redis", dead_redis)
    response = me("POST", "/restriction", json={})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "unavailable"
    assert response.headers["Retry-After"] == "5"
    with rt.sessions() as s:
        assert s.scalar(select(Member.status).where(Member.customer_id == CID)) == "active"


def test_a_read_while_the_database_is_down_is_503(me, rt, ingeborg, monkeypatch):
    dead = create_engine(
        "postgresql+psycopg://127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    monkeypatch.setattr(rt, "sessions", make_session_factory(dead))
    response = me("GET")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "unavailable"
