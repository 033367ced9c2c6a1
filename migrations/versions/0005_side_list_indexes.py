"""Indexes for Explore's side lists, which are computed again after every change.

- ``ix_posts_featured``: the featured articles, newest first. A partial index
  (only rows WHERE featured), so it stays as small as the handful it lists;
  without it, finding 3 featured posts among a million read the whole table.
- ``ix_likes_created_at`` and ``ix_comments_created_at`` now also hold
  ``post_id``: "popular this week" counts a week of likes and comments per post
  from the index alone, without reading the rows.

Plain CREATE/DROP INDEX, no ``batch_alter_table``: on SQLite a batch rebuild of
``posts`` or ``comments`` would drop their search triggers (see 0004).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_posts_featured", "posts", ["published_at", "id"],
                    postgresql_where=sa.text("featured"), sqlite_where=sa.text("featured = 1"))
    for table in ("likes", "comments"):
        op.drop_index(f"ix_{table}_created_at", table_name=table)
        op.create_index(f"ix_{table}_created_at", table, ["created_at", "post_id"])


def downgrade():
    for table in ("likes", "comments"):
        op.drop_index(f"ix_{table}_created_at", table_name=table)
        op.create_index(f"ix_{table}_created_at", table, ["created_at"])
    op.drop_index("ix_posts_featured", table_name="posts")
