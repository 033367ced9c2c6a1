"""Private messages, kept as conversations: one per pair of people.

Three tables, each answering one question a page asks:

- ``conversations``: the pair (``low_user_id`` < ``high_user_id``, unique), so two
  people have exactly one conversation whoever wrote first. Its id is the
  conversation's address (``/messages/<id>``).
- ``messages``: what was said, in order (``ix_messages_conversation_id_id``: a
  conversation's history, a page at a time).
- ``conversation_members``: one row per person per conversation, holding what *their*
  list of conversations shows: the other person, the latest message and when it was
  sent, the newest message they have seen, and how many they have not read.
  ``/messages`` is then one scan of ``ix_conversation_members_user_id_last_message_at``
  however long the histories are.

The members' rows and each user's ``unread_message_count`` (the navbar's badge) are
kept by ``microblog/services/messages.py`` from the messages themselves, in the same
transaction as the message that changes them.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.extensions import db
from microblog.markdown import excerpt
from microblog.models.user import User

MESSAGE_MAX_LENGTH = 2000


class Conversation(db.Model):
    __tablename__ = "conversations"

    low_user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"))
    high_user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"))

    __table_args__ = (
        sa.UniqueConstraint("low_user_id", "high_user_id", name="uq_conversations_pair"),
        sa.CheckConstraint("low_user_id < high_user_id", name="ordered_pair"),
        sa.Index("ix_conversations_high_user_id", "high_user_id"),  # deleting an account
    )

    def has_member(self, user: User) -> bool:
        return user.id in (self.low_user_id, self.high_user_id)

    def other_id(self, user: User) -> int:
        return self.high_user_id if user.id == self.low_user_id else self.low_user_id

    def __repr__(self) -> str:
        return f"<Conversation {self.id} {self.low_user_id}-{self.high_user_id}>"


class Message(db.Model):
    __tablename__ = "messages"

    conversation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"))
    sender_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    recipient_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    # Rendered once, when sent, with the comments' Markdown subset and sanitiser.
    body_html: so.Mapped[str] = so.mapped_column(sa.Text)

    sender: so.Mapped[User] = so.relationship(foreign_keys=[sender_id], lazy="raise")
    recipient: so.Mapped[User] = so.relationship(foreign_keys=[recipient_id], lazy="raise")

    __table_args__ = (
        sa.Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        sa.Index("ix_messages_sender_id", "sender_id"),
        sa.Index("ix_messages_recipient_id", "recipient_id"),
    )

    @property
    def excerpt(self) -> str:
        """The start of it as plain text, for a list of conversations."""
        return excerpt(self.body_html, 120)

    def __repr__(self) -> str:
        return f"<Message {self.id} in conversation {self.conversation_id}>"


class ConversationMember(db.Model):
    """One person's view of one conversation: what their list of conversations shows."""

    __tablename__ = "conversation_members"

    conversation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    other_user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"))
    last_message_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("messages.id", ondelete="SET NULL"))
    last_message_at: so.Mapped[datetime]
    # The newest message this person has seen here: those after it, to them, are unread.
    last_read_message_id: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    unread_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")

    conversation: so.Mapped[Conversation] = so.relationship(lazy="raise")
    other_user: so.Mapped[User] = so.relationship(foreign_keys=[other_user_id], lazy="raise")
    last_message: so.Mapped[Message | None] = so.relationship(lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("user_id", "conversation_id", name="uq_conversation_members_user"),
        # /messages: someone's conversations, the latest first.
        sa.Index("ix_conversation_members_user_id_last_message_at",
                 "user_id", "last_message_at", "conversation_id"),
        sa.Index("ix_conversation_members_conversation_id", "conversation_id"),
        sa.Index("ix_conversation_members_other_user_id", "other_user_id"),
        sa.Index("ix_conversation_members_last_message_id", "last_message_id"),
    )

    def __repr__(self) -> str:
        return f"<ConversationMember user {self.user_id} in {self.conversation_id}>"
