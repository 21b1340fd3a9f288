"""The declarative base and the column types every table shares."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, MetaData, Numeric, String
from sqlalchemy.orm import DeclarativeBase

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")
MONEY = Numeric(20, 4)
# Enums are stored as plain strings: readable in SQL, no database enum type to migrate.
ENUM_STR = String(20)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so Alembic names constraints the same way."""

    metadata = MetaData(naming_convention=NAMING)
