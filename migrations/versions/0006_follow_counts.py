"""Follower and following counts stored on each user, as posts store theirs.

A profile showed both counts by counting the ``followers`` rows on every view:
about a millisecond for an account with a few thousand followers, and growing
with every follower. Now the follows service keeps ``follower_count`` and
``following_count`` right as follows change, and a profile reads them from the
user's row. Filled here from the rows that exist.

Plain ADD/DROP COLUMN (SQLite has both since 3.35), no ``batch_alter_table``: a
batch rebuild of ``users`` would drop its search triggers (see 0004).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = (("follower_count", "followed_id"), ("following_count", "follower_id"))


def upgrade():
    for column, _ in COLUMNS:
        op.add_column("users", sa.Column(column, sa.Integer(), nullable=False,
                                         server_default="0"))
    op.execute(
        "UPDATE users SET "
        + ", ".join(f"{column} = (SELECT count(*) FROM followers WHERE {side} = users.id)"
                    for column, side in COLUMNS)
    )


def downgrade():
    for column, _ in COLUMNS:
        op.drop_column("users", column)
