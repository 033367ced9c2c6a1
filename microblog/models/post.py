"""A short status update written by one user."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.extensions import db
from microblog.models.user import User

BODY_MAX_LENGTH = 280


class Post(db.Model):
    __tablename__ = "posts"

    body: so.Mapped[str] = so.mapped_column(sa.String(BODY_MAX_LENGTH))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))

    author: so.Mapped[User] = so.relationship(back_populates="posts")

    __table_args__ = (
        # A profile page: one user's posts, newest first (id breaks ties).
        sa.Index("ix_posts_user_id_created_at", "user_id", "created_at", "id"),
        # Explore: everyone's posts, newest first.
        sa.Index("ix_posts_created_at", "created_at", "id"),
    )

    def __repr__(self) -> str:
        return f"<Post {self.id} by user {self.user_id}>"
