"""The reader's inbox for the benchmark: conversations with a thousand people, and ten
thousand notifications.

Issue 25 measures ``/messages``, a conversation and ``/notifications`` for a user with
1,000 conversations and 10,000 notifications.
The bulk seed (``microblog.seed.bulk``) writes no messages, so this adds them to the
reader the scenarios act as: one conversation with each of ``CONVERSATIONS`` other
accounts (a message each way, the newest ones unread), and one long conversation of
``LONG_HISTORY`` messages, whose newest page is the ``conversation`` scenario. Rows are
inserted in bulk, with the member rows and unread counts set as the messages service
would set them. The notifications are :data:`NOTIFICATIONS` events: likes of the
reader's posts in groups of :data:`LIKES_PER_GROUP` and single comments, all read but
the newest few, as ``services.notifications`` would have grouped them. Done once per
data set: a reader who already has them is left as they are.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from microblog.extensions import db
from microblog.markdown import render_comment
from microblog.models.base import utcnow
from microblog.models.message import Conversation, ConversationMember, Message
from microblog.models.notification import Notification
from microblog.models.user import User
from microblog.services.counts import recount_unread_messages
from microblog.services.notifications import recount_unread

CONVERSATIONS = 1000
LONG_HISTORY = 300
UNREAD_EVERY = 10  # one conversation in ten ends with a message the reader has not read
NOTIFICATIONS = 10_000
LIKES_PER_GROUP = 10
UNREAD_NOTIFICATIONS = 20  # the newest events are unread


def seed_inbox(reader: str) -> int:
    """Give ``reader`` their conversations (unless they have them); the id of the long one."""
    reader_id = db.session.scalar(sa.select(User.id).where(User.username == reader))
    members = ConversationMember.__table__.c
    have = db.session.scalar(sa.select(sa.func.count()).where(members.user_id == reader_id))
    if not have:
        _seed(reader_id)
    if not db.session.scalar(sa.select(sa.func.count()).where(
            Notification.user_id == reader_id)):
        _seed_notifications(reader_id)
    return db.session.scalar(
        sa.select(members.conversation_id).where(members.user_id == reader_id)
        .order_by(members.conversation_id).limit(1))


def _seed(reader_id: int) -> None:
    others = list(db.session.scalars(
        sa.select(User.id).where(User.id != reader_id).order_by(User.id).limit(CONVERSATIONS)))
    start = utcnow() - timedelta(days=30)
    for n, other_id in enumerate(others):
        low, high = sorted((reader_id, other_id))
        conversation_id = db.session.execute(sa.insert(Conversation).values(
            low_user_id=low, high_user_id=high, created_at=start, updated_at=start)
            .returning(Conversation.id)).scalar_one()
        length = LONG_HISTORY if n == 0 else 2
        at = start + timedelta(minutes=n)
        rows = []
        for k in range(length):
            sender, recipient = (other_id, reader_id) if k % 2 == 0 else (reader_id, other_id)
            body = f"Message {k + 1} of {length}: are we still on for *Thursday*?"
            rows.append({"conversation_id": conversation_id, "sender_id": sender,
                         "recipient_id": recipient, "body": body,
                         "body_html": render_comment(body),
                         "created_at": at + timedelta(seconds=k),
                         "updated_at": at + timedelta(seconds=k)})
        if n % UNREAD_EVERY == 1:  # ends with the other's message: unread for the reader
            rows[-1].update(sender_id=other_id, recipient_id=reader_id)
        db.session.execute(sa.insert(Message), rows)
        ids = list(db.session.scalars(sa.select(Message.id).where(
            Message.conversation_id == conversation_id).order_by(Message.id)))
        last_at = rows[-1]["created_at"]
        unread_for_reader = n % UNREAD_EVERY == 1
        db.session.execute(sa.insert(ConversationMember), [
            {"conversation_id": conversation_id, "user_id": me, "other_user_id": them,
             "last_message_id": ids[-1], "last_message_at": last_at,
             "last_read_message_id": ids[-2] if me == reader_id and unread_for_reader
             else ids[-1],
             "unread_count": 1 if me == reader_id and unread_for_reader else 0,
             "created_at": start, "updated_at": start}
            for me, them in ((reader_id, other_id), (other_id, reader_id))])
    recount_unread_messages([reader_id, *others])
    db.session.commit()


def _seed_notifications(reader_id: int) -> None:
    actors = list(db.session.scalars(
        sa.select(User.id).where(User.id != reader_id).order_by(User.id).limit(1000)))
    start = utcnow() - timedelta(days=60)
    rows = []
    for n in range(NOTIFICATIONS):
        at = start + timedelta(minutes=5 * n)
        actor = actors[n % len(actors)]
        if n % 2 == 0:  # a like, in a group of LIKES_PER_GROUP events about one post
            group = n // (2 * LIKES_PER_GROUP)
            position = (n // 2) % LIKES_PER_GROUP
            kind, key = "like", f"like:post:bench-{group}"
            payload = {"actor": "", "post_id": 1, "title": f"Bench post {group}"}
            head, count = position == LIKES_PER_GROUP - 1, position + 1
        else:
            kind, key = "comment", f"comment:bench-{n}"
            payload = {"actor": "", "post_id": 1, "title": "Bench post", "comment_id": 1,
                       "excerpt": "A comment on your post, to show under the notification."}
            head, count = True, 1
        unread = n >= NOTIFICATIONS - UNREAD_NOTIFICATIONS
        rows.append({"user_id": reader_id, "kind": kind, "actor_id": actor, "group_key": key,
                     "payload": payload, "read_at": None if unread else at, "head": head,
                     "group_count": count, "sample_actor_ids": [actor],
                     "created_at": at, "updated_at": at})
    db.session.execute(sa.insert(Notification), rows)
    recount_unread([reader_id])
    db.session.commit()
