"""Permanent ids on SQLite: every table with an ``id`` gets ``AUTOINCREMENT``.

An ``INTEGER PRIMARY KEY`` without it is SQLite's rowid, and a new row takes the
largest rowid in the table plus one: delete the newest post and the next post
gets its id, so the old permalink (/post/42) and the old Atom entry id name
someone else's post. With ``AUTOINCREMENT`` SQLite keeps the largest id ever
given in ``sqlite_sequence`` and never goes below it. PostgreSQL's sequences
already never go back: there this migration does nothing.

SQLite cannot add ``AUTOINCREMENT`` to a table, so each table is rebuilt (Alembic's
batch mode: a copy with the new option, the rows copied, the old table dropped,
the copy renamed). The rebuild keeps columns, foreign keys and unique
constraints; its reflection cannot see the expression index on lower(username)
and drops every trigger on the tables it rebuilds (see 0004), and a rename fails
while another table's trigger names a table that is gone for the moment. So
every trigger and every index of those tables is read from ``sqlite_master``
first, dropped, and created again afterwards from the very SQL that made it: the
search index (0004) and the tag pages' dates (0007) stay kept by the database.

``sqlite_sequence`` then holds each table's largest id, so the next row is above
every row there is. An id deleted before this migration and larger than every
id left cannot be known (SQLite never wrote it down): it may be given once more.

Downgrading rebuilds the tables the same way without ``AUTOINCREMENT``, and ids
are reused again after deletes, as before.

Note for later migrations: a batch rebuild reflects the table, and reflection
does not see ``AUTOINCREMENT``. A migration that batch-alters one of these tables
on SQLite must pass ``table_kwargs={"sqlite_autoincrement": True}`` (and create
its triggers again, see 0004); a new table says ``sqlite_autoincrement=True`` in
its ``create_table`` (autogenerate writes it from the models).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Every table whose rows have an id of their own (models.base:Base.id).
TABLES = ("users", "categories", "tags", "posts", "comments", "login_sessions")


def rebuild(autoincrement: bool) -> None:
    connection = op.get_bind()
    names = ", ".join(f"'{table}'" for table in TABLES)
    triggers = connection.execute(sa.text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")).all()
    # sql is NULL for the indexes SQLite makes itself (a UNIQUE constraint's): the
    # rebuild makes those again from the constraint.
    indexes = connection.execute(sa.text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({names}) ORDER BY name")).all()
    for name, _ in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    for name, _ in indexes:
        op.execute(f'DROP INDEX "{name}"')
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass
    for _, sql in (*indexes, *triggers):
        op.execute(sql)
    if autoincrement:
        for table in TABLES:  # the copy's INSERT set it already; say so, whatever it did
            op.execute(f"DELETE FROM sqlite_sequence WHERE name = '{table}'")
            op.execute(f"INSERT INTO sqlite_sequence (name, seq) "
                       f"SELECT '{table}', max(id) FROM {table} HAVING count(*) > 0")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        rebuild(autoincrement=True)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        rebuild(autoincrement=False)
