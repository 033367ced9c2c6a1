"""What every database connection is told, and how some statements are sent.

Hooks on SQLAlchemy's engines, registered when this module is imported (by
``microblog.extensions``, before any engine exists): SQLite is asked to enforce
foreign keys, PostgreSQL to speak UTC, and a statement marked :data:`PLAN_EACH_TIME`
is sent unprepared so that PostgreSQL plans it for its values.
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa


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
