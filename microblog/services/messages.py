"""Private messages (Mega-Tutorial chapter 21), kept as conversations.

Two people have one conversation, whoever wrote first (``models/message.py``). The
rules of sending are here, so the profile's "Send private message" form, a
conversation's reply box and the coming API refuse in the same words: you cannot
write to yourself, to nobody, to a disabled account or to one that has not
confirmed its email address (it could not have been told), nor across a block.

Each member's row of a conversation says what their list shows and how many
messages they have not read; ``users.unread_message_count`` sums those for the
navbar (``services/counts.py``). Both are recounted from the messages (what arrived
after the newest one the member has seen) in the same transaction as the message
or the reading that changes them, so they cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import _
from sqlalchemy.exc import IntegrityError

from microblog.database import built_once, loaded_objects_kept
from microblog.errors import NotFound, PermissionDenied, ValidationError
from microblog.extensions import db
from microblog.integers import MAX_ID
from microblog.markdown import render_comment
from microblog.models.message import (
    MESSAGE_MAX_LENGTH,
    Conversation,
    ConversationMember,
    Message,
)
from microblog.models.role import Permission
from microblog.models.user import User
from microblog.pagination import Page, paginate
from microblog.services import blocks, notifications
from microblog.services import counts as stored_counts
from microblog.services.accounts import get_user
from microblog.services.permissions import needs_email_confirmation, require
from microblog.services.text import required_text
from microblog.services.transactions import commit


def _body(text: str | None) -> str:
    return required_text(
        text, field="message", max_length=MESSAGE_MAX_LENGTH, empty=_("Write a message first."),
        too_long=_("Messages are at most %(max)d characters.", max=MESSAGE_MAX_LENGTH),
    )


def recipient_for(sender: User, username: str) -> User:
    """The account ``sender`` may write to as ``username``, or the reason they may not:
    NotFound (nobody by that name), ValidationError (themselves), PermissionDenied
    (they may not send messages, or the account cannot receive them) or Blocked."""
    recipient = get_user(username)
    require_may_write(sender, recipient)
    return recipient


def require_may_write(sender: User, recipient: User) -> None:
    """The rules of :func:`recipient_for`, for an account already at hand."""
    require(sender, Permission.MESSAGE)
    if recipient.id == sender.id:
        raise ValidationError(_("You cannot send a message to yourself."))
    if recipient.disabled:
        raise PermissionDenied(_("%(username)s's account is disabled, so it cannot receive "
                                 "messages.", username=recipient.username))
    if needs_email_confirmation(recipient):
        raise PermissionDenied(_("%(username)s has not confirmed their email address yet, so "
                                 "they cannot receive messages.", username=recipient.username))
    blocks.require_no_block(sender, recipient, blocks.MESSAGE)


def send(sender: User, username: str, text: str | None) -> Message:
    """Send ``text`` from ``sender`` to ``username``: the message, both members' rows
    (their lists' newest entry; the sender has seen everything up to their own
    message) and both unread counts, in one transaction."""
    recipient = recipient_for(sender, username)
    body = _body(text)
    conversation = _conversation_between(sender, recipient)
    message = Message(conversation_id=conversation.id, sender_id=sender.id,
                      recipient_id=recipient.id, body=body, body_html=render_comment(body))
    db.session.add(message)
    db.session.flush()
    members = ConversationMember.__table__.c
    db.session.execute(sa.update(ConversationMember).where(
        members.conversation_id == conversation.id).values(
        last_message_id=message.id, last_message_at=message.created_at))
    db.session.execute(sa.update(ConversationMember).where(
        members.conversation_id == conversation.id, members.user_id == sender.id).values(
        last_read_message_id=message.id))
    _recount(conversation.id, [sender.id, recipient.id])
    notifications.notify(recipient, notifications.MESSAGE, actor=sender,
                         group_key=f"message:{conversation.id}",
                         payload={"actor": sender.username, "conversation_id": conversation.id,
                                  "excerpt": message.excerpt})
    commit()
    return message


def _conversation_between(a: User, b: User) -> Conversation:
    """The conversation of ``a`` and ``b``, begun (with a member row for each) if they
    have none. Two first messages at once begin it once: the pair is unique, and the
    one that loses the race finds the winner's."""
    low, high = sorted((a.id, b.id))
    pair = (Conversation.low_user_id == low, Conversation.high_user_id == high)
    found = db.session.scalars(sa.select(Conversation).where(*pair)).one_or_none()
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            conversation = Conversation(low_user_id=low, high_user_id=high)
            db.session.add(conversation)
            db.session.flush()
            now = conversation.created_at
            db.session.add_all([
                ConversationMember(conversation_id=conversation.id, user_id=me.id,
                                   other_user_id=other.id, last_message_at=now)
                for me, other in ((a, b), (b, a))])
            db.session.flush()
    except IntegrityError:
        return db.session.scalars(sa.select(Conversation).where(*pair)).one()
    return conversation


def _recount(conversation_id: int, user_ids: list[int]) -> None:
    """Set the members' unread counts in one conversation, and those users' totals,
    from the messages themselves."""
    members = ConversationMember.__table__.c
    unread = (sa.select(sa.func.count(Message.id)).where(
        Message.conversation_id == members.conversation_id,
        Message.recipient_id == members.user_id,
        Message.id > members.last_read_message_id).scalar_subquery())
    db.session.execute(
        sa.update(ConversationMember).where(
            members.conversation_id == conversation_id, members.user_id.in_(user_ids))
        .values(unread_count=unread), execution_options={"synchronize_session": False})
    stored_counts.recount_unread_messages(user_ids)


# Reading ------------------------------------------------------------------------------

def conversations(user: User, page: int, per_page: int) -> Page[ConversationMember]:
    """``user``'s conversations, the one with the newest message first, each with the
    other person and that message (one query for the page)."""
    query = built_once("conversations_of", lambda: sa.select(ConversationMember).where(
        ConversationMember.user_id == sa.bindparam("user_id"),
        ConversationMember.last_message_id.is_not(None),
    ).order_by(ConversationMember.last_message_at.desc(), ConversationMember.id.desc()))
    return paginate(query, page, per_page, read=_with_people, values={"user_id": user.id})


def _with_people(query: sa.Select) -> sa.Select:
    return query.options(so.joinedload(ConversationMember.other_user),
                         so.joinedload(ConversationMember.last_message))


@dataclass(frozen=True)
class History:
    """A page of one conversation, oldest message first, for one of its members."""

    member: ConversationMember  # the reader's row: the other person, what they had read
    messages: list[Message]
    earlier: int | None  # the ``before`` of the page of older messages, if there are some
    later: int | None  # the ``before`` of the page of newer ones, if this is not the newest
    read_up_to: int  # the newest message the reader had seen before this page


def membership(user: User, conversation_id: int) -> ConversationMember:
    """``user``'s row of the conversation, with the other person; NotFound for anyone
    who is not one of its two members (a conversation that is not yours does not
    exist, whatever its id)."""
    member = db.session.scalars(sa.select(ConversationMember).where(
        ConversationMember.user_id == user.id,
        ConversationMember.conversation_id == conversation_id,
    ).options(so.joinedload(ConversationMember.other_user))).one_or_none()
    if member is None:
        raise NotFound(_("There is no such conversation."))
    return member


def history(user: User, conversation_id: int, per_page: int,
            before: int | None = None) -> History:
    """A page of the conversation for ``user``, oldest first: the newest messages, or
    those just older than message ``before``. Reading the newest page marks the
    conversation read (:func:`read`)."""
    member = membership(user, conversation_id)
    read_up_to = member.last_read_message_id
    newest_first = list(db.session.scalars(
        sa.select(Message).where(Message.conversation_id == conversation_id,
                                 Message.id < (before or MAX_ID))
        .order_by(Message.id.desc()).limit(per_page + 1)))
    if before is not None and not newest_first:
        raise NotFound(_("There is no such page."))
    shown = list(reversed(newest_first[:per_page]))
    earlier = shown[0].id if len(newest_first) > per_page else None
    later = None
    if before is not None and shown and shown[-1].id != member.last_message_id:
        later = _page_after(conversation_id, shown[-1].id, per_page)
    newest = shown[-1].id if shown else 0
    if newest == member.last_message_id and member.last_read_message_id < newest:
        read(user, member, newest)
    return History(member=member, messages=shown, earlier=earlier, later=later,
                   read_up_to=read_up_to)


def _page_after(conversation_id: int, last_shown: int, per_page: int) -> int | None:
    """The ``before`` that shows the page of messages just newer than ``last_shown``:
    None when that page is the newest (its address is the conversation's own)."""
    newer = list(db.session.scalars(
        sa.select(Message.id).where(Message.conversation_id == conversation_id,
                                    Message.id > last_shown)
        .order_by(Message.id).limit(per_page + 1)))
    return newer[per_page] if len(newer) > per_page else None


def read(user: User, member: ConversationMember, up_to: int) -> None:
    """``user`` (``member``'s person) has seen the conversation up to message ``up_to``:
    their unread counts follow, committed. The page being shown keeps what it loaded
    (its messages, the other person); only the navbar's two counts are read again."""
    members = ConversationMember.__table__.c
    db.session.execute(sa.update(ConversationMember).where(
        members.id == member.id, members.last_read_message_id < up_to,  # never backwards
    ).values(last_read_message_id=up_to))
    _recount(member.conversation_id, [user.id])
    notifications.mark_group_read(user, f"message:{member.conversation_id}")
    with loaded_objects_kept(db.session()):
        commit()
    so.attributes.set_committed_value(member, "last_read_message_id", up_to)
    db.session.refresh(user, ["unread_message_count", "unread_notification_count"])
    notifications.counts_changed(user)  # the badges of their other tabs follow
