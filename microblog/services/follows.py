"""Following: who follows whom, and the counts shown on a profile."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import _
from sqlalchemy.exc import IntegrityError

from microblog.database import built_once
from microblog.errors import ValidationError
from microblog.extensions import db
from microblog.models.follow import followers
from microblog.models.role import Permission
from microblog.models.user import User
from microblog.pagination import Page, paginate
from microblog.services import blocks, notifications
from microblog.services import counts as stored_counts
from microblog.services.accounts import get_user
from microblog.services.permissions import require
from microblog.services.transactions import commit


@dataclass(frozen=True)
class FollowCounts:
    followers: int
    following: int
    # Whether the person looking at the profile follows it (False for themselves).
    followed_by_viewer: bool = False


def is_following(user: User, other: User) -> bool:
    return db.session.scalar(
        sa.select(sa.literal(True)).where(
            followers.c.follower_id == user.id, followers.c.followed_id == other.id
        )
    ) is not None


def follow(user: User, username: str) -> User:
    """Make ``user`` follow ``username``. Following someone twice changes nothing.

    Needs FOLLOW, and no block between them (:mod:`microblog.services.blocks`).
    Unfollowing needs nothing: anyone may always leave.
    """
    require(user, Permission.FOLLOW)
    other = get_user(username)
    if other.id == user.id:
        raise ValidationError(_("You cannot follow yourself."))
    blocks.require_no_block(user, other, blocks.FOLLOW)
    if not is_following(user, other):
        user.following.add(other)
        try:
            db.session.flush()
            notifications.notify(other, notifications.FOLLOW, actor=user, group_key="follow",
                                 payload={"actor": user.username}, once_per_actor=True)
            _commit_with_counts(user, other)
        except IntegrityError:
            # A second request (a double click) inserted the same pair between our
            # check and this commit: the primary key refused it, and the user
            # follows ``other`` either way.
            db.session.rollback()
    return other


def unfollow(user: User, username: str) -> User:
    """Stop ``user`` following ``username``. Unfollowing twice changes nothing."""
    other = get_user(username)
    if other.id == user.id:
        raise ValidationError(_("You cannot unfollow yourself."))
    if is_following(user, other):
        user.following.remove(other)
        _commit_with_counts(user, other)
    return other


def _commit_with_counts(user: User, other: User) -> None:
    """Commit the follow or unfollow with both users' stored counts set from the rows,
    in the same transaction (the commit expires both objects: they read the new counts
    next time)."""
    db.session.flush()
    stored_counts.recount_follows({user.id, other.id})
    commit()


def counts(user: User, viewer: User | None = None) -> FollowCounts:
    """Both counts, stored on the user's row (no query), and whether ``viewer`` follows
    ``user``: read off the user when :func:`~microblog.services.accounts.get_user` loaded
    it for ``viewer``, else one query, from the
    followers table's primary key. A visitor logged out follows nobody."""
    followed = False
    if getattr(viewer, "is_authenticated", False) and viewer.id != user.id:
        followed = user.followed_by_viewer
        if followed is None:  # loaded without asking
            followed = is_following(viewer, user)
    return FollowCounts(followers=user.follower_count, following=user.following_count,
                        followed_by_viewer=followed)


# --- the lists of people -------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """One row of a followers or following list: the account, and whether the viewer
    follows it (False for the viewer themselves and for a visitor logged out)."""

    user: User
    followed_by_viewer: bool


def followers_of(user: User, page: int, per_page: int, viewer: User | None = None
                 ) -> Page[Person]:
    """The people who follow ``user``, by username, from the (followed, follower) index."""
    return _people_list("followers_of", followers.c.followed_id, followers.c.follower_id,
                        user, page, per_page, viewer)


def followed_by(user: User, page: int, per_page: int, viewer: User | None = None
                ) -> Page[Person]:
    """The people ``user`` follows, by username, from the followers' primary key."""
    return _people_list("followed_by", followers.c.follower_id, followers.c.followed_id,
                        user, page, per_page, viewer)


def _people_list(name: str, of: sa.Column, person: sa.Column, user: User, page: int,
                 per_page: int, viewer: User | None) -> Page[Person]:
    """The users in ``person`` of the followers rows whose ``of`` is ``user``."""
    query = built_once(name, lambda: sa.select(User).join(followers, person == User.id)
                       .where(of == sa.bindparam("user_id"))
                       .order_by(sa.func.lower(User.username), User.id))
    return _people(paginate(query, page, per_page, values={"user_id": user.id}), viewer)


def _people(found: Page[User], viewer: User | None) -> Page[Person]:
    """The page's users with the viewer's follow button state, asked in one query for
    the whole page (never one per row)."""
    followed: set[int] = set()
    if getattr(viewer, "is_authenticated", False) and found.items:
        followed = set(db.session.scalars(sa.select(followers.c.followed_id).where(
            followers.c.follower_id == viewer.id,
            followers.c.followed_id.in_([user.id for user in found.items]),
        )))
    people = [Person(user, user.id in followed) for user in found.items]
    return Page(items=people, page=found.page, per_page=found.per_page,
                has_next=found.has_next)
