"""Each post's and comment's language, and the translations kept of them.

``posts.language`` and ``comments.language`` (``microblog/languages.py``): told when a
post or comment is saved. Rows written before this migration keep NULL, which the
app treats as "unknown" (no translation offered) until ``flask languages detect``
tells them. ``translations`` (``microblog/models/translation.py``): one kept
translation per post or comment and target language, with a digest of the words it
was made from. Plain ADD COLUMN on ``posts`` and ``comments``: a batch rebuild
would drop their search triggers (see 0004 and 0011).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("posts", sa.Column("language", sa.String(length=16), nullable=True))
    op.add_column("comments", sa.Column("language", sa.String(length=16), nullable=True))
    op.create_table(
        "translations",
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("source_digest", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(post_id IS NULL) <> (comment_id IS NULL)",
                           name=op.f("ck_translations_one_source")),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"],
                                name=op.f("fk_translations_comment_id_comments"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"],
                                name=op.f("fk_translations_post_id_posts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translations")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("translations", schema=None) as batch_op:
        batch_op.create_index(
            "ux_translations_post_id_target", ["post_id", "target"], unique=True,
            postgresql_where=sa.text("post_id IS NOT NULL"),
            sqlite_where=sa.text("post_id IS NOT NULL"))
        batch_op.create_index(
            "ux_translations_comment_id_target", ["comment_id", "target"], unique=True,
            postgresql_where=sa.text("comment_id IS NOT NULL"),
            sqlite_where=sa.text("comment_id IS NOT NULL"))


def downgrade():
    with op.batch_alter_table("translations", schema=None) as batch_op:
        batch_op.drop_index("ux_translations_comment_id_target")
        batch_op.drop_index("ux_translations_post_id_target")
    op.drop_table("translations")
    # Plain DROP COLUMN, no batch rebuild: it would drop the search triggers (see 0004).
    op.drop_column("comments", "language")
    op.drop_column("posts", "language")
