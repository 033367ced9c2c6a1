"""A post: a short status, or (when it has a title) a Markdown article.

Both shapes share one table, so timelines, search and the API treat them alike.
The HTML is rendered once, when the post is saved (``body_html``), never per
view; an article also keeps a plain-text ``excerpt`` for timelines. Comment and
like counts are stored on the post and kept right by the services that change
them, so a timeline shows them without counting rows for every post.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.extensions import db
from microblog.markdown import excerpt
from microblog.models.category import Category
from microblog.models.tag import Tag, post_tags
from microblog.models.user import User

if TYPE_CHECKING:
    from microblog.models.comment import Comment

STATUS_MAX_LENGTH = 280
ARTICLE_MAX_LENGTH = 50_000
TITLE_MAX_LENGTH = 200
SLUG_MAX_LENGTH = 80
EXCERPT_LENGTH = 300
LANGUAGE_MAX_LENGTH = 16


class Post(db.Model):
    __tablename__ = "posts"

    # None for a status; an article's headline otherwise.
    title: so.Mapped[str | None] = so.mapped_column(sa.String(TITLE_MAX_LENGTH))
    # The title in URL form (/post/42/my-title); only the id finds the post.
    slug: so.Mapped[str | None] = so.mapped_column(sa.String(SLUG_MAX_LENGTH))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    body_html: so.Mapped[str] = so.mapped_column(sa.Text)
    excerpt: so.Mapped[str | None] = so.mapped_column(sa.String(EXCERPT_LENGTH))
    # None while the article is a draft, seen by its author only.
    published_at: so.Mapped[datetime | None]
    # When the author last changed a published post (shown as "edited").
    edited_at: so.Mapped[datetime | None]
    # The language its words are in (ISO 639-1, "es"), told when it is saved
    # (microblog/language_detection.py); "unknown" for text too short to tell, None for a post
    # saved before languages were told (``flask languages detect`` fills them in).
    language: so.Mapped[str | None] = so.mapped_column(sa.String(LANGUAGE_MAX_LENGTH))
    featured: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    comment_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    like_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    category_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("categories.id", ondelete="SET NULL")
    )

    # Whether the visitor liked the post, when the query that loaded it asked
    # (``services.posts.get_post``); None when it did not ask.
    liked_by_viewer: so.Mapped[bool | None] = so.query_expression()
    # Whether a block stands between the visitor and the author, and who made it (the
    # same query; ``services.blocks.comment_refusal``).
    viewer_blocked_by_author: so.Mapped[bool | None] = so.query_expression()
    author_blocked_by_viewer: so.Mapped[bool | None] = so.query_expression()

    author: so.Mapped[User] = so.relationship(back_populates="posts")
    category: so.Mapped[Category | None] = so.relationship(back_populates="posts")
    tags: so.Mapped[list[Tag]] = so.relationship(
        secondary=post_tags, order_by=Tag.name, passive_deletes=True
    )
    comments: so.WriteOnlyMapped[Comment] = so.relationship(
        back_populates="post", passive_deletes=True
    )

    __table_args__ = (
        # A profile page: one user's posts, newest first (id breaks ties).
        sa.Index("ix_posts_user_id_published_at", "user_id", "published_at", "id"),
        # Explore: everyone's posts, newest first.
        sa.Index("ix_posts_published_at", "published_at", "id"),
        # A category's page.
        sa.Index("ix_posts_category_id_published_at", "category_id", "published_at", "id"),
        # Explore's featured articles: only the featured rows are in it.
        sa.Index("ix_posts_featured", "published_at", "id",
                 postgresql_where=sa.text("featured"), sqlite_where=sa.text("featured = 1")),
    )

    @property
    def is_article(self) -> bool:
        return self.title is not None

    @property
    def is_draft(self) -> bool:
        return self.published_at is None

    @property
    def headline(self) -> str:
        """What names the post in a sentence: an article's title, a status's first words."""
        return self.title or excerpt(self.body, 60)

    def __repr__(self) -> str:
        return f"<Post {self.id} by user {self.user_id}>"
