"""Blocking: one person stops another from reaching them.

A block is a rule here, in the services, not a filter in the pages: the follows
and comments services ask :func:`require_no_block` before they act, so every front
end (the profile's buttons, a hover card's script, a comment form) refuses in the
same words. Between two people of whom one blocked the other, neither can follow
the other, comment on the other's posts or send the other a message: the one
blocked is told they were blocked, the one who blocked is told to unblock first.
Blocking also ends the follows both ways, as Mastodon does: a block that left the
blocked person following would keep the blocker's posts in their timeline.

Blocking is silent otherwise: the blocked person's own posts and profile stay
public, and nobody is notified.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import _
from sqlalchemy.exc import IntegrityError

from microblog.database import built_once
from microblog.errors import Blocked, ValidationError
from microblog.extensions import db
from microblog.models.block import blocks
from microblog.models.follow import followers
from microblog.models.post import Post
from microblog.models.user import User
from microblog.pagination import Page, paginate
from microblog.services import counts as stored_counts
from microblog.services.accounts import get_user
from microblog.services.permissions import NOT_ALLOWED, is_member

# What a block stops.
FOLLOW, COMMENT, MESSAGE = "follow", "comment", "message"

# Each refusal in the words of both sides: (to the one blocked, to the one who blocked).
_REFUSALS = {
    FOLLOW: (
        lambda name: _("%(username)s has blocked you, so you cannot follow them.",
                       username=name),
        lambda name: _("You have blocked %(username)s. Unblock them to follow them.",
                       username=name),
    ),
    COMMENT: (
        lambda name: _("%(username)s has blocked you, so you cannot comment on their posts.",
                       username=name),
        lambda name: _("You have blocked %(username)s. Unblock them to comment on their "
                       "posts.", username=name),
    ),
    MESSAGE: (
        lambda name: _("%(username)s has blocked you, so you cannot send them messages.",
                       username=name),
        lambda name: _("You have blocked %(username)s. Unblock them to send them messages.",
                       username=name),
    ),
}


def is_blocked(by: User, whom: User) -> bool:
    """Whether ``by`` blocked ``whom`` (one direction only)."""
    return db.session.scalar(sa.select(sa.literal(True)).where(
        blocks.c.blocker_id == by.id, blocks.c.blocked_id == whom.id)) is not None


def blocks_between(a: User, b: User) -> set[int]:
    """The ids of whichever of ``a`` and ``b`` blocked the other: empty when neither
    did. One query, on the blocks' primary key."""
    return set(db.session.scalars(sa.select(blocks.c.blocker_id).where(sa.or_(
        sa.and_(blocks.c.blocker_id == a.id, blocks.c.blocked_id == b.id),
        sa.and_(blocks.c.blocker_id == b.id, blocks.c.blocked_id == a.id)))))


def require_no_block(user: User, other: User, action: str) -> None:
    """Raise :class:`~microblog.errors.Blocked` when a block between ``user`` and
    ``other`` stops ``user`` doing ``action`` (:data:`FOLLOW`, :data:`COMMENT`,
    :data:`MESSAGE`) to ``other``, saying who blocked whom."""
    if user.id == other.id or not (blockers := blocks_between(user, other)):
        return
    raise Blocked(_refusal(action, other, blocked_by_other=other.id in blockers))


def _refusal(action: str, other: User, *, blocked_by_other: bool) -> str:
    """The words that refuse ``action`` towards ``other``: as the one blocked, or as the
    one who blocked."""
    to_blocked, to_blocker = _REFUSALS[action]
    return (to_blocked if blocked_by_other else to_blocker)(other.username)


def comment_refusal(user: User | None, post: Post) -> str | None:
    """Why a block stops ``user`` commenting on ``post``, in their words, or None: read
    from the flags the post was loaded with (``services.posts.get_post``), no query, so
    its page can say so in place of a form that would only be refused."""
    if not (post.viewer_blocked_by_author or post.author_blocked_by_viewer):
        return None
    return _refusal(COMMENT, post.author, blocked_by_other=bool(post.viewer_blocked_by_author))


def block(user: User, username: str) -> User:
    """``user`` blocks ``username``, and the follows between them end (both counts
    recounted in the same transaction). Blocking twice changes nothing."""
    if not is_member(user):
        raise Blocked(str(NOT_ALLOWED))
    other = get_user(username)
    if other.id == user.id:
        raise ValidationError(_("You cannot block yourself."))
    if not is_blocked(user, other):
        db.session.execute(sa.insert(blocks).values(blocker_id=user.id, blocked_id=other.id))
        db.session.execute(sa.delete(followers).where(sa.or_(
            sa.and_(followers.c.follower_id == user.id, followers.c.followed_id == other.id),
            sa.and_(followers.c.follower_id == other.id, followers.c.followed_id == user.id))))
        stored_counts.recount_follows({user.id, other.id})
        try:
            db.session.commit()
        except IntegrityError:
            # A second request (a double click) blocked them between our check and this
            # commit: they are blocked either way.
            db.session.rollback()
    return other


def unblock(user: User, username: str) -> User:
    """``user`` stops blocking ``username``. The follows a block ended stay ended.
    Unblocking someone not blocked changes nothing."""
    other = get_user(username)
    db.session.execute(sa.delete(blocks).where(
        blocks.c.blocker_id == user.id, blocks.c.blocked_id == other.id))
    db.session.commit()
    return other


def blocked_by(user: User, page: int, per_page: int) -> Page[User]:
    """The accounts ``user`` blocked, the latest block first (the primary key finds
    them; a person blocks few enough that ordering them costs nothing)."""
    query = built_once("blocked_by", lambda: sa.select(User)
                       .join(blocks, blocks.c.blocked_id == User.id)
                       .where(blocks.c.blocker_id == sa.bindparam("user_id"))
                       .order_by(blocks.c.created_at.desc(), User.id))
    return paginate(query, page, per_page, values={"user_id": user.id})
