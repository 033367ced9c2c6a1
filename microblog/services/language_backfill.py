"""Telling the language of posts and comments saved before languages were told.

Migration 0017 added ``posts.language`` and ``comments.language`` and left the rows
already there at NULL, which the pages treat as "unknown": no translation is offered.
``flask languages detect`` fills them in, a batch at a time, from the stored HTML
(:func:`microblog.language_detection.detect`, about 50 µs a row): cheap enough to run once on
a big site, and safe to run again (it looks only at rows still NULL).

Each row it writes gets a new ``updated_at``, which is in every cached card's key
(:mod:`microblog.fragments.keys`), so no worker keeps a card without its Translate
button.
"""

from __future__ import annotations

import sqlalchemy as sa

from microblog.language_detection import detect
from microblog.models.base import UTCDateTime, utcnow

BATCH = 500

posts = sa.table("posts", sa.column("id", sa.Integer), sa.column("title", sa.String),
                 sa.column("body_html", sa.Text), sa.column("language", sa.String),
                 sa.column("updated_at", UTCDateTime()))
comments = sa.table("comments", sa.column("id", sa.Integer), sa.column("body_html", sa.Text),
                    sa.column("language", sa.String), sa.column("updated_at", UTCDateTime()))


def detect_missing(connection: sa.Connection) -> tuple[int, int]:
    """Tell the language of every post and comment that has none; return how many of
    each were written."""
    return (_detect(connection, posts, lambda row: detect(row.title or "", row.body_html)),
            _detect(connection, comments, lambda row: detect(row.body_html)))


def _detect(connection: sa.Connection, table: sa.TableClause, tell) -> int:
    written, after = 0, 0
    columns = [table.c.id, table.c.body_html] + ([table.c.title] if "title" in table.c else [])
    while True:
        rows = connection.execute(
            sa.select(*columns).where(table.c.language.is_(None), table.c.id > after)
            .order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return written
        for row in rows:
            connection.execute(table.update().where(table.c.id == row.id).values(
                language=tell(row), updated_at=utcnow()))
        written += len(rows)
        after = rows[-1].id
