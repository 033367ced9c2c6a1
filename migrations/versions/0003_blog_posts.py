"""Blog posts: articles (title, slug, Markdown body), drafts, categories, tags,
comments and likes.

Every existing post stays a published status: it gets ``published_at`` from
``created_at``, its HTML rendered once here, and its #tags filed as tags.

Downgrading deletes what the older schema cannot hold: articles, and statuses
longer than 280 characters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from microblog.markdown import render_status, tags

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 1000


def timestamps():
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


@contextmanager
def posts_batch():
    """Alter ``posts``. On SQLite the table is rebuilt from its reflection, which also
    reflects ``users`` (posts point at it) and warns that it cannot see the
    lower(username) index; that index is on ``users``, which is not rebuilt."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table("posts") as batch:
            yield batch


def upgrade():
    op.create_table(
        "categories",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("slug", sa.String(length=50), nullable=False),
        *timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("name", name=op.f("uq_categories_name")),
        sa.UniqueConstraint("slug", name=op.f("uq_categories_slug")),
    )
    op.create_table(
        "tags",
        sa.Column("name", sa.String(length=50), nullable=False),
        *timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    with posts_batch() as batch:
        batch.alter_column("body", existing_type=sa.String(length=280), type_=sa.Text(),
                           existing_nullable=False)
        batch.add_column(sa.Column("title", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("slug", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("body_html", sa.Text(), nullable=True))
        batch.add_column(sa.Column("excerpt", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("featured", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))
        batch.add_column(sa.Column("comment_count", sa.Integer(), server_default="0",
                                   nullable=False))
        batch.add_column(sa.Column("like_count", sa.Integer(), server_default="0",
                                   nullable=False))
        batch.add_column(sa.Column("category_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_posts_category_id_categories"), "categories",
                                 ["category_id"], ["id"], ondelete="SET NULL")
        batch.drop_index("ix_posts_created_at")
        batch.drop_index("ix_posts_user_id_created_at")
    op.execute("UPDATE posts SET published_at = created_at")
    render_existing_statuses()
    with posts_batch() as batch:
        batch.alter_column("body_html", existing_type=sa.Text(), nullable=False)
        batch.create_index("ix_posts_published_at", ["published_at", "id"])
        batch.create_index("ix_posts_user_id_published_at", ["user_id", "published_at", "id"])
        batch.create_index("ix_posts_category_id_published_at",
                           ["category_id", "published_at", "id"])

    op.create_table(
        "post_tags",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"],
                                name=op.f("fk_post_tags_post_id_posts"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"],
                                name=op.f("fk_post_tags_tag_id_tags"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", "tag_id", name=op.f("pk_post_tags")),
    )
    op.create_index("ix_post_tags_tag_id_post_id", "post_tags", ["tag_id", "post_id"])
    file_existing_tags()

    op.create_table(
        "comments",
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        *timestamps(),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"],
                                name=op.f("fk_comments_post_id_posts"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_comments_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index("ix_comments_post_id_created_at", "comments",
                    ["post_id", "created_at", "id"])
    op.create_index("ix_comments_user_id", "comments", ["user_id"])
    op.create_index("ix_comments_created_at", "comments", ["created_at"])

    op.create_table(
        "likes",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"],
                                name=op.f("fk_likes_post_id_posts"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_likes_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "post_id", name=op.f("pk_likes")),
    )
    op.create_index("ix_likes_post_id_created_at", "likes", ["post_id", "created_at"])
    op.create_index("ix_likes_user_id_created_at", "likes", ["user_id", "created_at"])
    op.create_index("ix_likes_created_at", "likes", ["created_at"])


def _posts_in_batches():
    """Yield lists of ``(id, body)`` rows, a thousand at a time, in id order."""
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.text("SELECT id, body FROM posts WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last_id, "n": BATCH},
        ).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def render_existing_statuses():
    connection = op.get_bind()
    update = sa.text("UPDATE posts SET body_html = :html WHERE id = :id")
    for rows in _posts_in_batches():
        connection.execute(update, [{"id": row.id, "html": render_status(row.body)}
                                    for row in rows])


def file_existing_tags():
    connection = op.get_bind()
    tag_ids: dict[str, int] = {}
    now = sa.func.now()
    tag_table = sa.table("tags", sa.column("id"), sa.column("name"),
                         sa.column("created_at"), sa.column("updated_at"))
    for rows in _posts_in_batches():
        links = []
        for row in rows:
            for name in tags(row.body):
                if len(name) > 50:
                    continue
                if name not in tag_ids:
                    tag_ids[name] = connection.execute(
                        tag_table.insert().values(name=name, created_at=now, updated_at=now)
                        .returning(tag_table.c.id)
                    ).scalar_one()
                links.append({"post_id": row.id, "tag_id": tag_ids[name]})
        if links:
            connection.execute(
                sa.text("INSERT INTO post_tags (post_id, tag_id) VALUES (:post_id, :tag_id)"),
                links,
            )


def downgrade():
    op.drop_table("likes")
    op.drop_table("comments")
    op.drop_table("post_tags")
    op.execute("DELETE FROM posts WHERE title IS NOT NULL OR length(body) > 280")
    with posts_batch() as batch:
        batch.drop_index("ix_posts_category_id_published_at")
        batch.drop_index("ix_posts_user_id_published_at")
        batch.drop_index("ix_posts_published_at")
        batch.drop_constraint(op.f("fk_posts_category_id_categories"), type_="foreignkey")
        for column in ("category_id", "like_count", "comment_count", "featured", "edited_at",
                       "published_at", "excerpt", "body_html", "slug", "title"):
            batch.drop_column(column)
        batch.alter_column("body", existing_type=sa.Text(), type_=sa.String(length=280),
                           existing_nullable=False)
        batch.create_index("ix_posts_created_at", ["created_at", "id"])
        batch.create_index("ix_posts_user_id_created_at", ["user_id", "created_at", "id"])
    op.drop_table("tags")
    op.drop_table("categories")
