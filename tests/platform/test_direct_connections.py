"""The webhook intake's own PostgreSQL connections (loyalty.core.db.DirectConnections).

One per thread and process, made on first use: a database restart costs no delivery, and a
forked process never talks on its parent's connection.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select, text

from loyalty.core.db import DIRECT_APPLICATION_NAME, DirectConnections
from loyalty.core.models import WebhookEvent
from tests.support.config import EMBEDDED
from tests.support.workers import wait_for

pytestmark = pytest.mark.skipif(EMBEDDED, reason="the intake's own connections are PostgreSQL's")

SHOP_UPDATE = {"id": 548380009, "name": "Klubb Test", "currency": "NOK"}


def intake_sessions(rt) -> set[int]:
    """The backends of this database that the intake's connections hold."""
    with rt.engine.connect() as conn:
        return set(
            conn.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = current_database() AND application_name = :name"
                ),
                {"name": DIRECT_APPLICATION_NAME},
            )
        )


def terminate(rt, backend: int) -> None:
    """What a database restart does to a connection."""
    with rt.engine.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})


def test_a_delivery_after_a_database_restart_is_recorded(rt, shop, post_webhook):
    assert rt.direct is not None
    assert post_webhook("shop/update", SHOP_UPDATE).status_code == 200
    [backend] = rt.direct.first("SELECT pg_backend_pid()", {})
    terminate(rt, backend)
    response = post_webhook("shop/update", SHOP_UPDATE)
    assert response.status_code == 200, response.get_json()
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(WebhookEvent)) == 2
    assert rt.direct.first("SELECT pg_backend_pid()", {}) != (backend,)


def test_closing_ends_the_sessions_as_disposing_an_engine_does(rt):
    direct = DirectConnections(rt.engine)
    [backend] = direct.first("SELECT pg_backend_pid()", {})
    assert backend in intake_sessions(rt)
    direct.close()
    wait_for("the session to end", lambda: backend not in intake_sessions(rt))
    assert direct.first("SELECT 1", {}) == (1,)  # usable again: a new session
    direct.close()


def test_a_forked_process_gets_its_own_connection(rt):
    direct = DirectConnections(rt.engine)
    parent = direct.first("SELECT pg_backend_pid()", {})
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report the session it used, and leave without cleaning up
        try:
            os.write(write, str(direct.first("SELECT pg_backend_pid()", {})[0]).encode())
        finally:
            os._exit(0)
    os.close(write)
    child = int(os.read(read, 100).decode())
    os.waitpid(pid, 0)
    assert child != parent[0]
    # The parent's session was left alone: still the same, still working.
    assert direct.first("SELECT pg_backend_pid()", {}) == parent


def test_the_database_down_raises_a_clear_error(rt):
    from sqlalchemy import create_engine

    from loyalty.core.db import DirectError

    dead = DirectConnections(create_engine("postgresql+psycopg://127.0.0.1:1/none"))
    with pytest.raises(DirectError):
        dead.first("SELECT 1", {})
