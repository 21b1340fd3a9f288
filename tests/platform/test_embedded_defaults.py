"""With no DATABASE_URL and no REDIS_URL the app runs on a SQLite file and an embedded Redis."""

from __future__ import annotations

import pytest

from app import create_app
from loyalty.core.config import Config
from runtime import current_runtime, stop_embedded_redis


@pytest.mark.embedded
def test_the_app_starts_its_own_sqlite_and_redis_in_the_instance_folder(tmp_path):
    config = Config.from_env({}, instance_path=tmp_path)
    app = create_app(config)
    try:
        assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
        assert app.test_client().get("/healthz").get_json()["status"] == "ok"
        with app.app_context():
            rt = current_runtime()
            assert rt.redis_url.startswith("unix://") and rt.redis.ping()
            assert rt.engine.url.drivername == "sqlite"
        assert (tmp_path / "klubb.db").exists()
    finally:
        stop_embedded_redis(tmp_path)
