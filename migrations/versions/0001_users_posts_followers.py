"""Users, posts and followers.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def timestamps():
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade():
    op.create_table(
        "users",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("about_me", sa.String(length=140), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        *timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_index(
        "uq_users_username_lower", "users", [sa.text("lower(username)")], unique=True
    )
    op.create_table(
        "followers",
        sa.Column("follower_id", sa.Integer(), nullable=False),
        sa.Column("followed_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["followed_id"], ["users.id"],
                                name=op.f("fk_followers_followed_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["follower_id"], ["users.id"],
                                name=op.f("fk_followers_follower_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("follower_id", "followed_id", name=op.f("pk_followers")),
    )
    op.create_index("ix_followers_followed_id_follower_id", "followers",
                    ["followed_id", "follower_id"])
    op.create_table(
        "posts",
        sa.Column("body", sa.String(length=280), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        *timestamps(),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_posts_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
    )
    op.create_index("ix_posts_created_at", "posts", ["created_at", "id"])
    op.create_index("ix_posts_user_id_created_at", "posts", ["user_id", "created_at", "id"])


def downgrade():
    op.drop_table("posts")
    op.drop_table("followers")
    op.drop_index("uq_users_username_lower", table_name="users")
    op.drop_table("users")
