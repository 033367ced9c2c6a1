"""Notifications (Mega-Tutorial chapter 21): telling people what others did for them.

A notification is made by the service whose action causes it, with :func:`notify`, in
the same transaction as the action: the comment and "bob commented on your post" are
committed together or not at all, so a refused or rolled-back action tells nobody.
Nobody is told of their own actions, nor of anything done by someone they blocked.

Events about the same thing are grouped as they arrive (``models/notification.py``):
likes of one post, new followers, messages of one conversation. Someone is told once
that a given person liked their post or followed them, however often it is undone and
done again.

Some kinds are also sent by email, as each person chooses (:func:`email_choices`): by
default only messages, and only to someone who has not been on the site for a day (who
is here sees the badge). The email is queued once the action has committed
(:func:`microblog.services.transactions.after_commit`), through the job layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from babel.lists import format_list
from flask import current_app
from flask_babel import _, get_locale
from flask_babel import lazy_gettext as _l

from microblog.database import built_once
from microblog.extensions import db
from microblog.languages import (
    in_language_of,
    ngettext,  # counts written the reader's way
)
from microblog.markdown import mentions
from microblog.models.base import utcnow
from microblog.models.notification import SAMPLE_ACTORS, Notification
from microblog.models.user import User
from microblog.pagination import Page, paginate
from microblog.services import blocks
from microblog.services.transactions import after_commit, commit

# The kinds of notification (the tutorial's ``name``).
MESSAGE, FOLLOW, COMMENT, MENTION, LIKE = "message", "follow", "comment", "mention", "like"
TASK_FINISHED, TASK_FAILED = "task_finished", "task_failed"

# The kinds a person may also get by email, with the words of the settings page, and
# whether each is on for someone who has not chosen.
EMAIL_KINDS = {
    MESSAGE: (_l("A private message, when I have not been here for a day"), True),
    FOLLOW: (_l("A new follower"), False),
    COMMENT: (_l("A comment on one of my posts"), False),
    MENTION: (_l("A mention of me in a post or comment"), False),
    LIKE: (_l("A like of one of my posts"), False),
}
MAX_MENTIONED = 20
AWAY = timedelta(days=1)  # a message is emailed to someone not seen for this long


def notify(user: User, kind: str, *, actor: User | None, group_key: str,
           payload: dict[str, Any] | None = None, once_per_actor: bool = False
           ) -> Notification | None:
    """Tell ``user`` that ``actor`` did ``kind``: added to the caller's transaction (which
    commits it with the action), joined to the unread group ``group_key`` if there is
    one, and counted in the navbar's badge. None when nobody is to be told: ``actor``
    is ``user``, or someone ``user`` blocked, or (``once_per_actor``) was counted in this
    group before."""
    if actor is not None:
        if actor.id == user.id or blocks.is_blocked(user, actor):
            return None
        if once_per_actor and _told_before(user, group_key, actor):
            return None
    head = db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user.id, Notification.group_key == group_key,
        Notification.head.is_(True), Notification.read_at.is_(None))).first()
    event = Notification(user_id=user.id, kind=kind, actor_id=actor.id if actor else None,
                         group_key=group_key, payload=payload or {})
    samples = [actor.id] if actor else []
    if head is not None:
        head.head = False
        event.group_count = head.group_count + 1
        samples += [i for i in head.sample_actor_ids if i not in samples]
    event.sample_actor_ids = samples[:SAMPLE_ACTORS]
    db.session.add(event)
    db.session.flush()
    recount_unread([user.id])
    user_id = user.id
    after_commit(lambda: _ring(user_id))
    if _wants_email(user, kind):
        after_commit(lambda: _send_email(event.id))
    return event


def notify_mentions(text: str, *, actor: User, group_key: str, payload: dict[str, Any],
                    except_ids: set[int] | frozenset[int] = frozenset()) -> None:
    """Tell each account ``text`` mentions (@susan), but those in ``except_ids`` (told
    otherwise already), of a mention by ``actor``. At most :data:`MAX_MENTIONED`
    people: a post naming hundreds is not a way to notify a crowd."""
    names = sorted({name.lower() for name in mentions(text)})[:MAX_MENTIONED]
    if not names:
        return
    for person in db.session.scalars(sa.select(User).where(
            sa.func.lower(User.username).in_(names), User.disabled.is_(False))):
        if person.id not in except_ids:
            notify(person, MENTION, actor=actor, group_key=group_key, payload=payload)


def _told_before(user: User, group_key: str, actor: User) -> bool:
    return db.session.scalar(sa.select(sa.literal(True)).where(
        Notification.user_id == user.id, Notification.group_key == group_key,
        Notification.actor_id == actor.id).limit(1)) is not None


def recount_unread(user_ids: list[int]) -> None:
    """Set the users' ``unread_notification_count`` from their unread groups."""
    if not user_ids:
        return
    unread = sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == User.id, Notification.head.is_(True),
        Notification.read_at.is_(None)).scalar_subquery()
    db.session.execute(sa.update(User).where(User.id.in_(user_ids)).values(
        unread_notification_count=unread), execution_options={"synchronize_session": False})


def mark_all_read(user: User) -> None:
    """Every notification of ``user`` read, and the badge at zero (the commit has
    ``user`` read its count again)."""
    _mark_read(user, Notification.user_id == user.id)
    commit()
    counts_changed(user)


def _ring(user_id: int) -> None:
    """Something new for ``user_id``: their open tabs ask what (:mod:`microblog.realtime`)."""
    from microblog.realtime import publish

    publish("notified", user_id=user_id)


def counts_changed(user: User) -> None:
    """``user``'s unread counts changed (they read something): every tab of theirs shows
    the new counts. Called after the commit, with ``user``'s counts read again."""
    from microblog.realtime import publish

    publish("counts_changed", user_id=user.id, messages=user.unread_message_count,
            notifications=user.unread_notification_count)


def mark_group_read(user: User, group_key: str) -> None:
    """The group ``group_key`` read (the conversation it is about was opened), in the
    caller's transaction; the caller reads ``user``'s count again."""
    _mark_read(user, Notification.user_id == user.id, Notification.group_key == group_key)


def _mark_read(user: User, *where: sa.ColumnElement[bool]) -> None:
    db.session.execute(sa.update(Notification).where(
        *where, Notification.read_at.is_(None)).values(read_at=utcnow()),
        execution_options={"synchronize_session": False})
    recount_unread([user.id])


# Reading ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Shown:
    """A group as the page shows it: its newest event and the accounts it names."""

    notification: Notification
    actors: list[User]  # the samples, newest first; the rest are "others"

    @property
    def others(self) -> int:
        """How many more people the group is about ("and 3 others"). A conversation's
        messages are all from one person: its count is of messages."""
        if self.notification.kind == MESSAGE:
            return 0
        return self.notification.group_count - len(self.actors)


def for_user(user: User, page: int, per_page: int) -> Page[Shown]:
    """A page of ``user``'s notification groups, newest first, each with its sample
    accounts: two queries however many notifications there are."""
    query = built_once("notifications_of", lambda: sa.select(Notification).where(
        Notification.user_id == sa.bindparam("user_id"), Notification.head.is_(True),
    ).order_by(Notification.created_at.desc(), Notification.id.desc()))
    found = paginate(query, page, per_page, values={"user_id": user.id})
    ids = {i for n in found.items for i in n.sample_actor_ids}
    people = {person.id: person for person in db.session.scalars(
        sa.select(User).where(User.id.in_(ids)))} if ids else {}
    shown = [Shown(n, [people[i] for i in n.sample_actor_ids if i in people])
             for n in found.items]
    return Page(items=shown, page=found.page, per_page=found.per_page,
                has_next=found.has_next)


def since(user: User, moment: datetime, limit: int = 50) -> list[Notification]:
    """``user``'s notifications newer than ``moment``, oldest first (what the polling
    script has not seen), each with its actor."""
    return list(db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id,
                                      Notification.created_at > moment)
        .options(so.joinedload(Notification.actor))
        .order_by(Notification.created_at, Notification.id).limit(limit)))


def describe(notification: Notification, actors: list[User] | None = None,
             others: int = 0) -> str:
    """What a notification says, in a sentence ("alice and 3 others liked your post").

    The verb agrees with how many people did it: English says "alice and bob liked" as
    it says "alice liked", but Spanish and German do not ("les ha gustado", "folgen dir"),
    so the sentence is chosen by ``ngettext`` on the number of people.
    """
    names = [person.username for person in actors or []] or [
        notification.payload.get("actor", "")]
    who, people = _names(names, others), len(names) + max(others, 0)
    title = notification.payload.get("title") or _("your post")
    if notification.kind == MESSAGE:
        return ngettext("%(who)s sent you a message", "%(who)s sent you %(num)d messages",
                        notification.group_count, who=who)
    if notification.kind == FOLLOW:
        return ngettext("%(who)s followed you", "%(who)s followed you", people, who=who)
    if notification.kind == LIKE:
        return ngettext("%(who)s liked “%(title)s”", "%(who)s liked “%(title)s”", people,
                        who=who, title=title)
    if notification.kind == COMMENT:
        return ngettext("%(who)s commented on “%(title)s”", "%(who)s commented on “%(title)s”",
                        people, who=who, title=title)
    if notification.kind == MENTION:
        return ngettext("%(who)s mentioned you", "%(who)s mentioned you", people, who=who)
    description = notification.payload.get("description", "")
    if notification.kind == TASK_FINISHED:
        return _("Finished: %(task)s", task=description)
    return _("Failed: %(task)s", task=description)


def _names(names: list[str], others: int) -> str:
    """"alice", "alice and bob", "alice, bob and carol" in the reader's language (Babel's
    list patterns: "y", "und"), or "alice, bob and 3 others"."""
    if others > 0:
        return ngettext("%(names)s and %(num)d other", "%(names)s and %(num)d others", others,
                        names=", ".join(names))
    return format_list(names, locale=str(get_locale() or "en")) if names else ""


# Email -----------------------------------------------------------------------------------

def email_choices(user: User) -> dict[str, bool]:
    """Which kinds ``user`` gets by email: their choices over the defaults."""
    chosen = user.email_notifications or {}
    return {kind: bool(chosen.get(kind, default)) for kind, (_, default) in EMAIL_KINDS.items()}


def set_email_choices(user: User, wanted: set[str]) -> None:
    """``user`` wants ``wanted`` by email and no other kind (unknown kinds are ignored)."""
    user.email_notifications = {kind: kind in wanted for kind in EMAIL_KINDS}
    commit()


def _wants_email(user: User, kind: str) -> bool:
    if not email_choices(user).get(kind):
        return False
    return kind != MESSAGE or user.last_seen is None or user.last_seen < utcnow() - AWAY


def _send_email(notification_id: int) -> None:
    from microblog.mailer import link, send_template

    notification = db.session.get(Notification, notification_id)
    if notification is None:
        return
    user = db.session.get(User, notification.user_id)
    actor = db.session.get(User, notification.actor_id) if notification.actor_id else None
    with in_language_of(user):  # the reader's, not the language of whoever acted
        sentence = describe(notification, [actor] if actor else [])
        send_template("notification", sentence, [user.email], user=user, sentence=sentence,
                      excerpt=notification.payload.get("excerpt"),
                      link=link(target(notification, user)[0], **target(notification, user)[1]),
                      settings_link=link("settings.notifications"))
    current_app.logger.info("Notification %s emailed to user %s", notification_id, user.id)


def target(notification: Notification, user: User) -> tuple[str, dict[str, Any]]:
    """The endpoint (and its values) of the page ``user``'s notification is about."""
    payload = notification.payload
    if notification.kind == MESSAGE:
        return "messages.conversation", {"conversation_id": payload["conversation_id"]}
    if notification.kind == FOLLOW:
        return "main.followers", {"username": user.username}
    if notification.kind in (LIKE, MENTION) and "comment_id" not in payload:
        return "blog.post", {"post_id": payload["post_id"]}
    if notification.kind in (COMMENT, MENTION):
        return "blog.show_comment", {"comment_id": payload["comment_id"]}
    if payload.get("page"):
        return payload["page"], {}
    return "notifications.index", {}


# Background tasks ------------------------------------------------------------------------

def _task_ended(app: object, *, task_id: str, user_id: int | None, error: str | None = None,
                **details: object) -> None:
    """A task of someone's finished or failed (``microblog/jobs/signals.py``, sent in the
    worker once its row is committed): tell them, linking to the page it names."""
    from microblog.jobs.functions import resolve
    from microblog.models.task import Task

    task = db.session.get(Task, task_id)
    user = db.session.get(User, user_id) if user_id is not None else None
    if task is None or user is None:
        return
    try:
        page = resolve(task.name)[1].page
    except LookupError:
        page = None
    notify(user, TASK_FAILED if error else TASK_FINISHED, actor=None,
           group_key=f"task:{task_id}",
           payload={"task_id": task_id, "description": task.description, "page": page})
    commit()


def _connect_task_signals() -> None:
    from microblog.jobs import signals

    signals.task_finished.connect(_task_ended)
    signals.task_failed.connect(_task_ended)


_connect_task_signals()
