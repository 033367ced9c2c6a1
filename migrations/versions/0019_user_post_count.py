"""Each user's number of published posts, stored on the row as their follow counts are.

The REST API shows ``post_count`` with every user (chapter 23's representation), and
counted it on each request: for an account with 60,000 posts that count was most of
the request's time. Now the posts service keeps it right as posts are published and
deleted (``services.counts.recount_posts``), and the API reads it from the row.
Filled here from the rows that exist.

Plain ADD/DROP COLUMN, as in 0006: a batch rebuild of ``users`` would drop its search
triggers on SQLite.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("post_count", sa.Integer(), nullable=False,
                                     server_default="0"))
    op.execute("UPDATE users SET post_count = (SELECT count(*) FROM posts "
               "WHERE posts.user_id = users.id AND posts.published_at IS NOT NULL)")


def downgrade():
    op.drop_column("users", "post_count")
