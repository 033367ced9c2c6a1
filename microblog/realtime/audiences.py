"""Who hears what: for each fact a service publishes, the event browsers get, what it
carries and the rooms it goes to.

A room is a name sockets join (:mod:`microblog.realtime.events` decides who may):

- ``user:<id>``: every tab of one signed-in person, joined when the socket connects;
- ``post:<id>``: the readers of one published post's page;
- ``explore``: the readers of Explore.

An event carries ids and numbers, never words or markup: each browser asks for what
changed in its own language and with its own buttons (the JSON the pages already
serve), so nothing one person may see leaks into another's page, and a page that
missed events asks the same question when it reconnects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.follow import followers

EXPLORE = "explore"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def post_room(post_id: int) -> str:
    return f"post:{post_id}"


Audience = tuple[str, dict[str, Any], list[str]]  # the event, its payload, the rooms


def _comment(action: str) -> Callable[..., Audience]:
    def audience(*, post_id: int, comment_id: int) -> Audience:
        return "comment", {"post_id": post_id, "id": comment_id, "action": action}, \
            [post_room(post_id)]
    return audience


def _notified(*, user_id: int) -> Audience:
    """Something new for ``user_id`` (a message, a like …): their tabs ask what."""
    return "notification", {}, [user_room(user_id)]


def _counts(*, user_id: int, messages: int, notifications: int) -> Audience:
    """``user_id``'s unread counts changed without anything new (they read something,
    in one of their tabs): every tab shows the new counts."""
    return "unread", {"messages": messages, "notifications": notifications}, \
        [user_room(user_id)]


def _post_published(*, post_id: int, author_id: int) -> Audience:
    """A post was published: Explore's readers, and the home timelines it joins (its
    author's followers, and the author's own), hear of it. One message to the queue
    names every room; each Socket.IO process delivers to the sockets it holds."""
    follower_ids = db.session.scalars(sa.select(followers.c.follower_id).where(
        followers.c.followed_id == author_id))
    rooms = [EXPLORE, user_room(author_id), *(user_room(i) for i in follower_ids)]
    return "new_post", {"id": post_id}, rooms


def _task_changed(*, user_id: int, task_id: str, state: str, progress: int | None) -> Audience:
    return "task", {"id": task_id, "state": state, "progress": progress}, [user_room(user_id)]


FACTS: dict[str, Callable[..., Audience]] = {
    "comment_added": _comment("added"),
    "comment_edited": _comment("edited"),
    "comment_deleted": _comment("deleted"),
    "notified": _notified,
    "counts_changed": _counts,
    "post_published": _post_published,
    "task_changed": _task_changed,
}


def of(fact: str, details: dict[str, Any]) -> Audience:
    """The event, payload and rooms of ``fact`` (KeyError for a fact nobody defined)."""
    return FACTS[fact](**details)
