"""Blocks: the ``blocks`` table (``microblog/models/block.py``).

One row per (blocker, blocked) pair; the primary key lists whom someone blocked,
the second index who blocked someone.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "blocks",
        sa.Column("blocker_id", sa.Integer(), nullable=False),
        sa.Column("blocked_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("blocker_id <> blocked_id", name=op.f("ck_blocks_not_oneself")),
        sa.ForeignKeyConstraint(["blocker_id"], ["users.id"],
                                name=op.f("fk_blocks_blocker_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["blocked_id"], ["users.id"],
                                name=op.f("fk_blocks_blocked_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name=op.f("pk_blocks")),
    )
    op.create_index("ix_blocks_blocked_id_blocker_id", "blocks", ["blocked_id", "blocker_id"])


def downgrade():
    op.drop_index("ix_blocks_blocked_id_blocker_id", table_name="blocks")
    op.drop_table("blocks")
