"""A comment: a reader's Markdown reply under a published post."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.extensions import db
from microblog.models.post import LANGUAGE_MAX_LENGTH, Post
from microblog.models.user import User

COMMENT_MAX_LENGTH = 2000


class Comment(db.Model):
    __tablename__ = "comments"

    body: so.Mapped[str] = so.mapped_column(sa.Text)
    # Rendered once, when the comment is saved.
    body_html: so.Mapped[str] = so.mapped_column(sa.Text)
    edited_at: so.Mapped[datetime | None]
    # Its language, told when saved, as for posts (``Post.language``).
    language: so.Mapped[str | None] = so.mapped_column(sa.String(LANGUAGE_MAX_LENGTH))
    post_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))

    post: so.Mapped[Post] = so.relationship(back_populates="comments")
    author: so.Mapped[User] = so.relationship()

    __table_args__ = (
        # A post's comments, oldest first.
        sa.Index("ix_comments_post_id_created_at", "post_id", "created_at", "id"),
        # Deleting an account removes its comments.
        sa.Index("ix_comments_user_id", "user_id"),
        # "Popular this week" counts a week of comments per post from the index alone.
        sa.Index("ix_comments_created_at", "created_at", "post_id"),
    )

    def __repr__(self) -> str:
        return f"<Comment {self.id} on post {self.post_id}>"
