"""Likes: liking and unliking published posts, which posts a viewer liked, and who liked
a post.

Liking is idempotent: the primary key ``(user_id, post_id)`` holds one like per
pair, so a double click or a retried request changes nothing. The post's
``like_count`` is recounted from the table in the same transaction, so it
stays right however many people click at once.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from microblog.caching import ENGAGEMENT
from microblog.database import built_once
from microblog.extensions import db
from microblog.models.like import likes
from microblog.models.post import Post
from microblog.models.role import Permission
from microblog.models.user import User
from microblog.pagination import Page, paginate
from microblog.services import notifications
from microblog.services.counts import recount
from microblog.services.permissions import require
from microblog.services.posts import get_published
from microblog.services.transactions import commit


def like(user: User, post_id: int) -> Post:
    """``user`` likes the published post ``post_id``; liking twice changes nothing."""
    require(user, Permission.LIKE)
    post = get_published(post_id)
    try:
        with db.session.begin_nested():
            db.session.execute(
                sa.insert(likes).values(user_id=user.id, post_id=post.id)
            )
    except IntegrityError:
        pass  # already liked (perhaps by a second click a moment ago)
    else:
        recount([post.id])
        notifications.notify(post.author, notifications.LIKE, actor=user,
                             group_key=f"like:post:{post.id}", once_per_actor=True,
                             payload={"actor": user.username, "post_id": post.id,
                                      "title": post.headline})
        commit(changes=[ENGAGEMENT])
    db.session.refresh(post)
    return post


def unlike(user: User, post_id: int) -> Post:
    """Take back a like; unliking a post never liked changes nothing."""
    post = get_published(post_id)
    removed = db.session.execute(
        sa.delete(likes).where(likes.c.user_id == user.id, likes.c.post_id == post.id)
    ).rowcount
    if removed:
        recount([post.id])
        commit(changes=[ENGAGEMENT])
    db.session.refresh(post)
    return post


def liked_ids(user: User | None, posts: Iterable[Post]) -> set[int]:
    """Which of ``posts`` ``user`` liked, in one query for them all: none when logged out.
    (A page of posts asks in its own query: ``Post.liked_by_viewer``.)"""
    ids = [post.id for post in posts]
    if not getattr(user, "is_authenticated", False) or not ids:
        return set()
    return set(db.session.scalars(sa.select(likes.c.post_id).where(
        likes.c.user_id == user.id, likes.c.post_id.in_(ids))))


def likers(post_id: int, page: int, per_page: int) -> Page[User]:
    """The people who liked the published post ``post_id``, the latest like first."""
    post = get_published(post_id)
    query = built_once("likers_of", lambda: sa.select(User)
                       .join(likes, likes.c.user_id == User.id)
                       .where(likes.c.post_id == sa.bindparam("post_id"))
                       .order_by(likes.c.created_at.desc(), User.id.desc()))
    return paginate(query, page, per_page, values={"post_id": post.id})
