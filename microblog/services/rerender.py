"""Rendering stored Markdown again, after the rules that made its HTML have changed.

Posts and comments keep their HTML, rendered once when they were saved
(:mod:`microblog.markdown`, "render on save"). When the renderer's rules change (a
table now gets Bootstrap's class, an image in a comment is now a plain link) or the
operator changes ``MARKDOWN_IMAGE_HOSTS``, the stored HTML still follows the old
ones until it is rendered again from its Markdown: migration 0011 does that once, and
``flask markdown rerender`` whenever the setting changes.

It reads and writes through the bare tables (no models), so a migration may call it
with only the columns that exist there. A row whose HTML comes out the same is not
written; one that changes gets a new ``updated_at``, which is part of every cached
card's key (:mod:`microblog.fragments.keys`), so no worker keeps showing the old HTML.
Status posts are left alone: they are escaped, not rendered from Markdown.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from microblog.markdown import excerpt, render_article, render_comment
from microblog.models.base import UTCDateTime, utcnow
from microblog.models.post import EXCERPT_LENGTH

BATCH = 500

posts = sa.table("posts", sa.column("id", sa.Integer), sa.column("title", sa.String),
                 sa.column("body", sa.Text), sa.column("body_html", sa.Text),
                 sa.column("excerpt", sa.String), sa.column("updated_at", UTCDateTime()))
comments = sa.table("comments", sa.column("id", sa.Integer), sa.column("body", sa.Text),
                    sa.column("body_html", sa.Text),
                    sa.column("updated_at", UTCDateTime()))


def rerender(connection: sa.Connection, image_hosts: Collection[str]) -> tuple[int, int]:
    """Render every article and comment again with today's rules; return how many
    articles and comments came out different (and were written)."""
    articles = _rerender(connection, posts, posts.c.title.is_not(None),
                         lambda row: render_article(row.body, image_hosts), with_excerpt=True)
    comment_count = _rerender(connection, comments, sa.true(),
                              lambda row: render_comment(row.body), with_excerpt=False)
    return articles, comment_count


def _rerender(connection, table, which, render, *, with_excerpt: bool) -> int:
    changed, after = 0, 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.body, table.c.body_html)
            .where(which, table.c.id > after).order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return changed
        for row in rows:
            html = render(row)
            if html != row.body_html:
                values = {"body_html": html, "updated_at": utcnow()}
                if with_excerpt:
                    values["excerpt"] = excerpt(html, EXCERPT_LENGTH)
                connection.execute(table.update().where(table.c.id == row.id).values(values))
                changed += 1
        after = rows[-1].id
