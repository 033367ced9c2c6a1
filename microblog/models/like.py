"""Likes: one row per (user, post) pair, so liking twice is impossible.

The primary key ``(user_id, post_id)`` answers "did I like this?" and lists a
user's likes; ``ix_likes_created_at`` counts a week of likes per post for
"popular" from the index alone.
"""

import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.base import UTCDateTime, utcnow

likes = sa.Table(
    "likes",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("post_id", sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_at", UTCDateTime(), nullable=False, default=utcnow),
    sa.Index("ix_likes_post_id_created_at", "post_id", "created_at"),
    sa.Index("ix_likes_user_id_created_at", "user_id", "created_at"),
    sa.Index("ix_likes_created_at", "created_at", "post_id"),
)
