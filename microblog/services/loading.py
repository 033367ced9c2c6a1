"""Loading rows by id in an order decided elsewhere, and what is the viewer's own.

A page often knows which rows it shows before it loads them: a search backend
answers with ids, best match first. :func:`in_order` loads them all in one
statement and hands them back in that order, rather than one ``session.get`` per id.

A page also shows what is the visitor's own: whether they liked each post, whether
they follow the person whose profile it is. It is asked in the same statement as
the rows themselves (an ``EXISTS`` per row on a primary key: :func:`liked_by`,
:func:`followed_by`): for the lists of posts by their rows' ``liked_by_viewer``
column (:mod:`microblog.services.listings`), and for one object by
:func:`one_for_viewer`, the one loading step that fills ``Post.liked_by_viewer``
and ``User.followed_by_viewer`` (with ``User.blocked_by_viewer``: did the visitor block
them?, and a post's two flags of a block between the visitor and its author); nothing
else writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from microblog.database import built_once
from microblog.extensions import db
from microblog.models.block import blocks
from microblog.models.follow import followers
from microblog.models.like import likes
from microblog.models.post import Post
from microblog.models.user import User


def in_order(query: sa.Select, ids: Sequence[int]) -> list[Any | None]:
    """The rows of ``query`` (a select of one model, with its loader options) whose ids
    are ``ids``, in one statement and in that order; None for an id that is gone."""
    if not ids:
        return []
    model = query.column_descriptions[0]["entity"]
    found = {row.id: row for row in db.session.scalars(query.where(model.id.in_(ids))).unique()}
    return [found.get(row_id) for row_id in ids]


VIEWER_ID = sa.bindparam("viewer_id")


def one_for_viewer(name: str, build: Callable[[], sa.Select], viewer: Any,
                   **values: object) -> Any | None:
    """The one object ``build()`` selects (a post, or a user) with ``values`` bound,
    also knowing what is ``viewer``'s own: whether they liked the post, or follow the
    user. None when there is none.

    The question is a column of the same statement (an ``EXISTS`` on a primary key,
    ``:viewer_id``), and its answer is written onto the object here: this is the one
    loading step that fills ``Post.liked_by_viewer`` and ``User.followed_by_viewer``
    (and ``User.blocked_by_viewer``).
    A visitor logged out is asked nothing, and the flag stays None. The statement is
    built once for members and once for visitors
    (:func:`~microblog.database.built_once`).
    """
    member = getattr(viewer, "is_authenticated", False)

    def asking() -> sa.Select:
        query = build()
        model = query.column_descriptions[0]["entity"]
        return query.add_columns(*(question(VIEWER_ID).label(flag)
                                   for flag, question in FLAGS[model].items()))

    statement = built_once((name, member), asking if member else build)
    params = {**values, VIEWER_ID.key: viewer.id} if member else values
    found = db.session.execute(statement, params).unique().one_or_none()
    if found is None:
        return None
    if member:
        for flag in FLAGS[type(found[0])]:
            set_committed_value(found[0], flag, getattr(found, flag))
    return found[0]


def liked_by(user_id: int | sa.BindParameter[int]) -> sa.Exists:
    """Whether ``user_id`` liked the post a query reads: an ``EXISTS`` on the likes'
    primary key, correlated to the post alone (a query that joins likes itself, a
    liked tab, keeps its own)."""
    return sa.exists().where(likes.c.post_id == Post.id, likes.c.user_id == user_id) \
        .correlate(Post)


def followed_by(user_id: int) -> sa.Exists:
    """Whether ``user_id`` follows the user a query reads: an ``EXISTS`` on the
    followers' primary key."""
    return sa.exists().where(followers.c.follower_id == user_id,
                             followers.c.followed_id == User.id).correlate(User)


def blocked_by(user_id: int) -> sa.Exists:
    """Whether ``user_id`` blocked the user a query reads: an ``EXISTS`` on the blocks'
    primary key."""
    return sa.exists().where(blocks.c.blocker_id == user_id,
                             blocks.c.blocked_id == User.id).correlate(User)


def blocks_viewer(user_id: int) -> sa.Exists:
    """Whether the author of the post a query reads blocked ``user_id``."""
    return sa.exists().where(blocks.c.blocker_id == Post.user_id,
                             blocks.c.blocked_id == user_id).correlate(Post)


def author_blocked_by(user_id: int) -> sa.Exists:
    """Whether ``user_id`` blocked the author of the post a query reads."""
    return sa.exists().where(blocks.c.blocker_id == user_id,
                             blocks.c.blocked_id == Post.user_id).correlate(Post)


# The flags each model has for what is the viewer's own, and the questions that fill them.
FLAGS = {Post: {"liked_by_viewer": liked_by, "viewer_blocked_by_author": blocks_viewer,
                "author_blocked_by_viewer": author_blocked_by},
         User: {"followed_by_viewer": followed_by, "blocked_by_viewer": blocked_by}}
