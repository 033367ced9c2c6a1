"""The tag page's index: each ``post_tags`` row holds its post's ``published_at``.

The page lists a tag's published posts, newest first. The tag is on ``post_tags``,
the date on ``posts``, and no index holds both: at 1,000,000 posts PostgreSQL
walked the whole site's posts newest first and looked each one up in
``post_tags`` until it had found 25 with the tag, 14,700 lookups for the most
used tag (31 ms) and nearly all million for the oldest page of a rare one. (The
category page needs nothing: ``category_id`` is on ``posts``, and
``ix_posts_category_id_published_at`` already holds its pages in order.)

So each ``post_tags`` row gets a copy of its post's ``published_at`` (NULL while
the post is a draft), and ``ix_post_tags_tag_id_published_at`` on
``(tag_id, published_at, post_id)`` holds every tag's posts in page order: a page,
the first or one reached by a cursor, is the next 26 entries of the index, read
backwards from where it starts. It replaces ``ix_post_tags_tag_id_post_id``,
whose every use (a tag's rows, for ON DELETE CASCADE) it serves as well.

The copy is kept by the database, like the search index (0004): a trigger gives
a new ``post_tags`` row its post's date, and another gives a post's rows its new
date when ``posts.published_at`` changes (publishing a draft). Every way a row
is written, the services, the bulk seed's ``COPY``, a hand-typed statement,
keeps it right in the same transaction, and no service has to remember to.
The rows that exist are filled here.

Plain ADD/DROP COLUMN and CREATE/DROP INDEX (SQLite has DROP COLUMN since 3.35),
no ``batch_alter_table``: a batch rebuild of ``post_tags`` would drop its triggers
(see 0004).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

POSTGRES_TRIGGERS = [
    """CREATE FUNCTION post_tags_take_published_at() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           NEW.published_at := (SELECT published_at FROM posts WHERE id = NEW.post_id);
           RETURN NEW;
         END $$""",
    """CREATE TRIGGER post_tags_take_published_at BEFORE INSERT ON post_tags
         FOR EACH ROW EXECUTE FUNCTION post_tags_take_published_at()""",
    """CREATE FUNCTION posts_give_published_at() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           UPDATE post_tags SET published_at = NEW.published_at WHERE post_id = NEW.id;
           RETURN NULL;
         END $$""",
    """CREATE TRIGGER posts_give_published_at AFTER UPDATE OF published_at ON posts
         FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
         EXECUTE FUNCTION posts_give_published_at()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER posts_give_published_at ON posts",
    "DROP FUNCTION posts_give_published_at()",
    "DROP TRIGGER post_tags_take_published_at ON post_tags",
    "DROP FUNCTION post_tags_take_published_at()",
]
# SQLite's triggers cannot change the row being inserted: the new row is updated after.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER post_tags_take_published_at AFTER INSERT ON post_tags BEGIN
         UPDATE post_tags SET published_at = (SELECT published_at FROM posts
                                               WHERE id = NEW.post_id)
          WHERE post_id = NEW.post_id AND tag_id = NEW.tag_id;
       END""",
    """CREATE TRIGGER posts_give_published_at AFTER UPDATE OF published_at ON posts
       WHEN OLD.published_at IS NOT NEW.published_at BEGIN
         UPDATE post_tags SET published_at = NEW.published_at WHERE post_id = NEW.id;
       END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS posts_give_published_at",
    "DROP TRIGGER IF EXISTS post_tags_take_published_at",
]


def upgrade():
    op.add_column("post_tags", sa.Column("published_at", sa.DateTime(timezone=True),
                                         nullable=True))
    op.execute("UPDATE post_tags SET published_at = "
               "(SELECT published_at FROM posts WHERE posts.id = post_tags.post_id)")
    op.create_index("ix_post_tags_tag_id_published_at", "post_tags",
                    ["tag_id", "published_at", "post_id"])
    op.drop_index("ix_post_tags_tag_id_post_id", table_name="post_tags")
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_DROP if postgresql else SQLITE_DROP:
        op.execute(statement)
    op.create_index("ix_post_tags_tag_id_post_id", "post_tags", ["tag_id", "post_id"])
    op.drop_index("ix_post_tags_tag_id_published_at", table_name="post_tags")
    op.drop_column("post_tags", "published_at")
