"""The declarative base every model inherits: ``id``, ``created_at``, ``updated_at``.

Times are timezone-aware UTC everywhere in Python. PostgreSQL stores them as
``timestamptz``; SQLite has no time zones, so :class:`UTCDateTime` stores naive
UTC there and puts the zone back when reading.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A ``DateTime(timezone=True)`` that always gives back aware UTC datetimes."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection, connection_record) -> None:
    """SQLite ignores ``ON DELETE CASCADE`` (and every foreign key) unless each
    connection asks it not to; PostgreSQL always enforces them."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@sa.event.listens_for(sa.engine.Engine, "do_connect")
def _postgresql_speaks_utc(dialect, connection_record, cargs, cparams) -> None:
    """Each PostgreSQL session's time zone is ``UTC``, whatever the server's default.

    Times come back in the session's zone. Named exactly ``UTC``, psycopg converts
    them with Python's own ``timezone.utc``; under a name like ``Etc/UTC`` (a common
    server default, the same zone) it converts each value through the tz database,
    a third of psycopg's work in reading a page of 25 posts. Set when connecting, as
    a startup option: no statement, no round trip. (A pooler that refuses startup
    options, PgBouncer unless told to ignore ``options``, would refuse connections;
    without the option, times are still read right, :class:`UTCDateTime` converts them.)
    """
    if dialect.name == "postgresql":
        cparams["options"] = " ".join(filter(None, [cparams.get("options"), "-c timezone=UTC"]))


# An execution option: ``select(...).execution_options(**{PLAN_EACH_TIME: True})``.
PLAN_EACH_TIME = "microblog_plan_each_time"


@sa.event.listens_for(sa.engine.Engine, "do_execute")
def _planned_with_its_values(cursor, statement, parameters, context) -> bool:
    """Send a statement marked :data:`PLAN_EACH_TIME` unprepared, so PostgreSQL plans it
    each time for the values it is given.

    psycopg prepares a statement once it has run it 5 times on a connection, and after 5
    more PostgreSQL may keep one generic plan for it, chosen without the values. That
    suits most statements; it does not suit one whose best plan depends on them, such as
    the home timeline's, where the people followed may write half the site or almost
    nothing (its generic plan read all 20,000 posts of the people followed, 10 times
    slower, where the plan for the values walks the newest posts). Returning True says
    the statement has been sent.
    """
    if context.execution_options.get(PLAN_EACH_TIME) and context.dialect.driver == "psycopg":
        cursor.execute(statement, parameters, prepare=False)
        return True
    return False


# Named constraints so Alembic can alter or drop them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(so.DeclarativeBase):
    """Columns every table has. Flask-SQLAlchemy builds ``db.Model`` on top of it."""

    registry = so.registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)
