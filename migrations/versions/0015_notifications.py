"""Notifications, grouped as they come, and each account's email choices.

``notifications`` (``microblog/models/notification.py``): one row per event, the newest
unread one of each group its head; the indexes serve the list (heads, newest first),
finding an event's group, and the unread count. ``users.email_notifications`` holds
which kinds someone also wants by email. Plain ADD COLUMN on ``users`` (see 0011).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("group_key", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("head", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("group_count", sa.Integer(), server_default="1", nullable=False),
        sa.Column("sample_actor_ids", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_notifications_actor_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_actor_id", ["actor_id"], unique=False)
        batch_op.create_index(
            "ix_notifications_user_id_group_key", ["user_id", "group_key", "actor_id"], unique=False
        )
        batch_op.create_index(
            "ix_notifications_user_id_head_created_at",
            ["user_id", "head", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_notifications_user_id_read_at", ["user_id", "read_at"], unique=False
        )

    op.add_column("users", sa.Column("email_notifications", sa.JSON(), nullable=True))


def downgrade():
    op.drop_column("users", "email_notifications")

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_id_read_at")
        batch_op.drop_index("ix_notifications_user_id_head_created_at")
        batch_op.drop_index("ix_notifications_user_id_group_key")
        batch_op.drop_index("ix_notifications_actor_id")

    op.drop_table("notifications")
