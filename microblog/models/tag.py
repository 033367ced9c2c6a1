"""Tags: free words an author attaches to posts, many to many.

A status gets the ``#tags`` written in it; an article the ones typed in the
editor. Names are stored lower-cased, so #Flask and #flask are one tag. The
association's primary key ``(post_id, tag_id)`` lists a post's tags; the second
index lists a tag's posts, newest first, for the tag's page. For that each row
holds a copy of its post's ``published_at`` (NULL for a draft), which the
database keeps in step (triggers, migration 0007): the code never writes it.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.extensions import db
from microblog.models.base import UTCDateTime

TAG_MAX_LENGTH = 50

post_tags = sa.Table(
    "post_tags",
    db.metadata,
    sa.Column("post_id", sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("published_at", UTCDateTime, nullable=True),  # the post's, copied by triggers
    sa.Index("ix_post_tags_tag_id_published_at", "tag_id", "published_at", "post_id"),
)


class Tag(db.Model):
    __tablename__ = "tags"

    name: so.Mapped[str] = so.mapped_column(sa.String(TAG_MAX_LENGTH), unique=True)

    def __repr__(self) -> str:
        return f"<Tag {self.name}>"
