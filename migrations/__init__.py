"""Alembic migrations; :func:`upgrade` is what ``flask --app app db upgrade`` runs."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

from loyalty.core.config import Config

HERE = Path(__file__).resolve().parent


def alembic_config(config: Config) -> AlembicConfig:
    """An Alembic configuration for this app's database, without an alembic.ini."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("sqlalchemy.url", config.sqlalchemy_url.replace("%", "%%"))
    cfg.attributes["klubb_config"] = config
    return cfg


def upgrade(config: Config, revision: str = "head") -> None:
    """Bring the database's schema up to ``revision``."""
    if config.sqlalchemy_url.startswith("sqlite"):
        config.instance_path.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(config), revision)
