"""Loading rows by id in an order decided elsewhere, and what is the viewer's own.

A page often knows which rows it shows before it loads them: a search backend
answers with ids, best match first. :func:`in_order` loads them all in one
statement and hands them back in that order, rather than one ``session.get`` per id.

A page also shows what is the visitor's own: whether they liked each post, whether
they follow the person whose profile it is. It is asked in the same statement as
the rows themselves (an ``EXISTS`` per row on a primary key: :func:`liked_by`,
:func:`followed_by`): for the lists of posts by their rows' ``liked_by_viewer``
column (:mod:`microblog.services.listings`), and for one object by
:func:`with_viewer_flags`, the one loading step that fills ``Post.liked_by_viewer``
and ``User.followed_by_viewer``; nothing else writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.extensions import db
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


def with_viewer_flags(query: sa.Select, viewer: Any) -> sa.Select:
    """``query`` (of posts, or of users) also asking what is ``viewer``'s own: whether
    they liked each post, or follow each user. A visitor logged out is asked nothing,
    and the flags stay None."""
    if not getattr(viewer, "is_authenticated", False):
        return query
    entity = query.column_descriptions[0]["entity"]
    if entity is Post:
        flag = so.with_expression(Post.liked_by_viewer, liked_by(viewer.id))
    elif entity is User:
        flag = so.with_expression(User.followed_by_viewer, followed_by(viewer.id))
    else:
        raise TypeError(f"no viewer flags for {entity}")
    # Rows already in the session are filled again, so a flag is never another viewer's.
    return query.options(flag).execution_options(populate_existing=True)


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
