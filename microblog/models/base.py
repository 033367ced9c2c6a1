"""The declarative base every model inherits: ``id``, ``created_at``, ``updated_at``.

An ``id`` is given once and never again, on every database: it is in permalinks
(/post/42), comment links and Atom entry ids, which readers keep after the row
is gone. PostgreSQL's sequences never go back; SQLite's plain ``INTEGER PRIMARY
KEY`` takes the largest id in the table plus one, so deleting the newest row
hands its id to the next one, unless the table says ``AUTOINCREMENT``. Every
model's table says it (:class:`PermanentIds`); migration 0009 rebuilt
the tables that existed before.

Times are timezone-aware UTC everywhere in Python. PostgreSQL stores them as
``timestamptz``; SQLite has no time zones, so :class:`UTCDateTime` stores naive
UTC there and puts the zone back when reading.
"""

from __future__ import annotations

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


# Named constraints so Alembic can alter or drop them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class PermanentIds:
    """Gives each model's table SQLite's ``AUTOINCREMENT`` (``sqlite_autoincrement``),
    so no id is ever given twice. It runs as each model class is declared, after its
    table is built: a new model (messages, say) gets it with nothing to remember,
    whatever ``__table_args__`` it declares. Other databases ignore the option.

    A mixin of :class:`Base` rather than a method on it, because Flask-SQLAlchemy
    builds ``db.Model`` from a copy of Base's body, where ``super()`` would not work.
    """

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        table = cls.__dict__.get("__table__")
        if table is not None:
            table.dialect_kwargs["sqlite_autoincrement"] = True


class Base(PermanentIds, so.DeclarativeBase):
    """Columns every table has. Flask-SQLAlchemy builds ``db.Model`` on top of it."""

    registry = so.registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)
