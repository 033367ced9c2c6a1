"""Posts: writing a status, and the timelines that read them."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import _

from microblog.extensions import db
from microblog.models.follow import followers
from microblog.models.post import BODY_MAX_LENGTH, Post
from microblog.models.role import Permission
from microblog.models.user import User
from microblog.pagination import Page, paginate
from microblog.services.errors import ValidationError
from microblog.services.permissions import require


def create_post(author: User, body: str) -> Post:
    """Publish ``body`` as ``author``, who needs WRITE (a confirmed email, by default)."""
    require(author, Permission.WRITE)
    body = (body or "").replace("\r\n", "\n").strip()  # one line break, however sent
    if not body:
        raise ValidationError(_("Say something first."), field="post")
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError(
            _("Posts are at most %(max)d characters.", max=BODY_MAX_LENGTH), field="post"
        )
    post = Post(body=body, author=author)
    db.session.add(post)
    db.session.commit()
    return post


def _newest_first(query: sa.Select) -> sa.Select:
    """Newest first, ``id`` breaking ties; authors joined in the same query (no N+1)."""
    return query.options(so.joinedload(Post.author)).order_by(
        Post.created_at.desc(), Post.id.desc()
    )


def home_timeline(user: User, page: int, per_page: int) -> Page[Post]:
    """The user's own posts and those of everyone they follow."""
    followed_ids = sa.select(followers.c.followed_id).where(followers.c.follower_id == user.id)
    query = sa.select(Post).where(
        sa.or_(Post.user_id == user.id, Post.user_id.in_(followed_ids))
    )
    return paginate(_newest_first(query), page, per_page)


def explore(page: int, per_page: int) -> Page[Post]:
    """Everyone's posts."""
    return paginate(_newest_first(sa.select(Post)), page, per_page)


def posts_by(user: User, page: int, per_page: int) -> Page[Post]:
    """One user's posts, for their profile."""
    return paginate(_newest_first(sa.select(Post).where(Post.user_id == user.id)), page, per_page)
