"""Notifications (Mega-Tutorial chapter 21): one row per event, grouped as they come.

As in the tutorial each row names what happened (``kind``), whom it is for, when, and a
JSON ``payload`` for the page to show (the post's title, the conversation). Events of
one kind about one thing (likes of a post, new followers, messages in a conversation)
share a ``group_key``, so the page can say "alice and 3 others liked *Soil notes*" as
Mastodon's grouped notifications do. The grouping is kept as events arrive, not worked
out on every view: the newest event of a group that is still unread is its ``head``,
carrying the group's ``group_count`` and a few ``sample_actor_ids``; the list shows
heads only, one scan of ``ix_notifications_user_id_head_created_at`` however many
events there are. An event that arrives after its group was read starts a new group.

``users.unread_notification_count`` (the navbar's badge) counts the unread heads, kept
by ``microblog/services/notifications.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.extensions import db
from microblog.models.user import User

KIND_MAX_LENGTH = 32
GROUP_KEY_MAX_LENGTH = 100
SAMPLE_ACTORS = 3  # the accounts a group names ("alice, bob and 3 others")


class Notification(db.Model):
    __tablename__ = "notifications"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # The tutorial's ``name``: what happened ("like", "follow", "message", ...).
    kind: so.Mapped[str] = so.mapped_column(sa.String(KIND_MAX_LENGTH))
    # Who did it; None for the site's own news (a background task that finished).
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"))
    group_key: so.Mapped[str] = so.mapped_column(sa.String(GROUP_KEY_MAX_LENGTH))
    payload: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    read_at: so.Mapped[datetime | None]
    # The newest unread event of its group (or one that was read as such): the list's row.
    head: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    group_count: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    sample_actor_ids: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)

    actor: so.Mapped[User | None] = so.relationship(foreign_keys=[actor_id], lazy="raise")

    __table_args__ = (
        # /notifications: someone's groups, newest first.
        sa.Index("ix_notifications_user_id_head_created_at", "user_id", "head", "created_at"),
        # The group an event joins; whether this actor was already counted in it.
        sa.Index("ix_notifications_user_id_group_key", "user_id", "group_key", "actor_id"),
        # Marking read, and the unread count.
        sa.Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        sa.Index("ix_notifications_actor_id", "actor_id"),  # deleting an account
    )

    @property
    def timestamp(self) -> float:
        """The tutorial's timestamp: seconds since the epoch, for the script that polls."""
        return self.created_at.timestamp()

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} for {self.user_id}>"
