"""The counts stored on rows, and how they are kept right: each post's comments and
likes, each user's published posts, followers and followings and unread messages.

Counting rows for every post on every page would cost a query per post (or a
heavy join); instead each post carries ``comment_count`` and ``like_count``, and
each user ``post_count``, ``follower_count`` and ``following_count`` (a popular
account's profile, or the API's user, would otherwise count thousands of rows on
every view).
Whatever adds or removes a comment or a like recounts the posts it touched, in
the same transaction, from the rows themselves: a count set from ``COUNT(*)``
cannot drift the way ``count + 1`` can when two requests race.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.comment import Comment
from microblog.models.follow import followers
from microblog.models.like import likes
from microblog.models.message import ConversationMember
from microblog.models.post import Post
from microblog.models.user import User


def recount(post_ids: Collection[int]) -> None:
    """Set both counts of the posts ``post_ids`` from the comment and like rows."""
    if not post_ids:
        return
    db.session.execute(
        sa.update(Post).where(Post.id.in_(list(post_ids))).values(
            comment_count=sa.select(sa.func.count(Comment.id))
            .where(Comment.post_id == Post.id).scalar_subquery(),
            like_count=sa.select(sa.func.count()).select_from(likes)
            .where(likes.c.post_id == Post.id).scalar_subquery(),
        ),
        execution_options={"synchronize_session": False},
    )


def posts_engaged_by(user: User) -> set[int]:
    """Other people's posts ``user`` liked or commented on: their counts change
    when the account goes."""
    liked = sa.select(likes.c.post_id).where(likes.c.user_id == user.id)
    commented = sa.select(Comment.post_id).where(Comment.user_id == user.id)
    return set(db.session.scalars(sa.union(liked, commented)))


def recount_follows(user_ids: Collection[int]) -> None:
    """Set both follow counts of the users ``user_ids`` from the followers rows."""
    if not user_ids:
        return
    count = sa.func.count()
    db.session.execute(
        sa.update(User).where(User.id.in_(list(user_ids))).values(
            follower_count=sa.select(count).select_from(followers)
            .where(followers.c.followed_id == User.id).scalar_subquery(),
            following_count=sa.select(count).select_from(followers)
            .where(followers.c.follower_id == User.id).scalar_subquery(),
        ),
        execution_options={"synchronize_session": False},
    )


def follow_partners(user: User) -> set[int]:
    """Everyone ``user`` follows or is followed by: their counts change when the
    account goes."""
    return set(db.session.scalars(sa.union(
        sa.select(followers.c.followed_id).where(followers.c.follower_id == user.id),
        sa.select(followers.c.follower_id).where(followers.c.followed_id == user.id),
    )))


def conversation_partners(user: User) -> set[int]:
    """Whoever ``user`` has a conversation with: their unread totals change when the
    account goes (its conversations go with it)."""
    members = ConversationMember.__table__.c
    return set(db.session.scalars(
        sa.select(members.other_user_id).where(members.user_id == user.id)))


def recount_unread_messages(user_ids: Collection[int]) -> None:
    """Set the users' ``unread_message_count`` (the navbar's badge) from their
    conversations' rows, each of which ``services.messages`` recounts from the messages."""
    if not user_ids:
        return
    members = ConversationMember.__table__.c
    db.session.execute(
        sa.update(User).where(User.id.in_(list(user_ids))).values(
            unread_message_count=sa.select(sa.func.coalesce(sa.func.sum(members.unread_count), 0))
            .where(members.user_id == User.id).scalar_subquery()),
        execution_options={"synchronize_session": False})


def recount_posts(user_ids: Collection[int]) -> None:
    """Set the users' ``post_count`` from their published posts (the posts service
    calls it when one is published or deleted)."""
    if not user_ids:
        return
    db.session.execute(
        sa.update(User).where(User.id.in_(list(user_ids))).values(
            post_count=sa.select(sa.func.count()).select_from(Post)
            .where(Post.user_id == User.id, Post.published_at.is_not(None))
            .scalar_subquery()),
        execution_options={"synchronize_session": False})
