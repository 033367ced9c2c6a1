"""A translation kept: a post's or a comment's words in another language, as HTML.

Asking the translator costs time (a round trip to another server) and often money, and
a post is read by many people who share a language. So the first reader's translation
is kept here, one row per (post or comment, target language), and every later reader
of that language gets it from this table.

``source_digest`` is a SHA-256 of what was translated (the source language and the
words). An edit changes the words, so the digest no longer matches and the row is
translated again and overwritten: the old translation is never served for new words.
The row goes with its post or comment (``ON DELETE CASCADE``).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.extensions import db
from microblog.models.post import LANGUAGE_MAX_LENGTH


class Translation(db.Model):
    __tablename__ = "translations"

    # Exactly one of the two is set.
    post_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"))
    comment_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"))
    target: so.Mapped[str] = so.mapped_column(sa.String(LANGUAGE_MAX_LENGTH))
    source_digest: so.Mapped[str] = so.mapped_column(sa.String(64))
    # An article's title, translated; None for a status or a comment.
    title: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Rendered and sanitised as the original's HTML is (microblog/markdown.py).
    html: so.Mapped[str] = so.mapped_column(sa.Text)

    __table_args__ = (
        sa.CheckConstraint("(post_id IS NULL) <> (comment_id IS NULL)", name="one_source"),
        # One kept translation per post (or comment) and language: the lookup's index.
        sa.Index("ux_translations_post_id_target", "post_id", "target", unique=True,
                 postgresql_where=sa.text("post_id IS NOT NULL"),
                 sqlite_where=sa.text("post_id IS NOT NULL")),
        sa.Index("ux_translations_comment_id_target", "comment_id", "target", unique=True,
                 postgresql_where=sa.text("comment_id IS NOT NULL"),
                 sqlite_where=sa.text("comment_id IS NOT NULL")),
    )

    def __repr__(self) -> str:
        source = f"post {self.post_id}" if self.post_id else f"comment {self.comment_id}"
        return f"<Translation of {source} into {self.target}>"
