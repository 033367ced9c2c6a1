"""Uploaded pictures, avatars of one's own, and stored HTML rendered again.

``uploads`` records who uploaded which picture (the file is in the uploads storage
under its content hash, ``microblog/models/upload.py``); ``users.avatar_file`` names
the picture an account shows instead of its identicon. Plain ADD COLUMN, no
``batch_alter_table``: a batch rebuild of ``users`` would drop its search triggers
(see 0004).

Articles and comments saved before this migration keep HTML made by older rules:
tables without Bootstrap's class and its scrolling box, images from any server, and
a stray "!" before an image written in a comment. So every article and comment is
rendered again from its Markdown (``microblog/services/rerender.py``, also
``flask markdown rerender``), with the app's ``MARKDOWN_IMAGE_HOSTS``. Downgrading
drops the table and the column and leaves the HTML as it is now: the older schema
holds it as well, and there is no older renderer to make it with.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

from microblog.services.rerender import rerender

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "uploads",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=69), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_uploads_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
        sa.UniqueConstraint("user_id", "name", name="uq_uploads_user_id_name"),
        sqlite_autoincrement=True,
    )
    op.add_column("users", sa.Column("avatar_file", sa.String(length=69), nullable=True))
    rerender(op.get_bind(), current_app.config.get("MARKDOWN_IMAGE_HOSTS", []))


def downgrade():
    op.drop_column("users", "avatar_file")
    op.drop_table("uploads")
