"""Comments: who may write, edit and delete them, and reading a post's comments.

Comments are Markdown without headings, images or tables, rendered and
sanitised once when saved. Their author may correct one for a short while
(``EDIT_WINDOW``); after that a comment stands as written, so replies never end
up answering words that have changed. The comment's author, the post's author
and moderators may delete it. The post's ``comment_count`` is recounted in the
same transaction as every change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import _
from sqlalchemy.orm.attributes import set_committed_value

from microblog.caching import ENGAGEMENT, invalidate
from microblog.extensions import db
from microblog.markdown import render_comment
from microblog.models.base import utcnow
from microblog.models.comment import COMMENT_MAX_LENGTH, Comment
from microblog.models.post import Post
from microblog.models.role import Permission
from microblog.models.user import User
from microblog.pagination import Page, paginate
from microblog.services.counts import recount
from microblog.services.errors import NotFound, PermissionDenied
from microblog.services.loading import in_order
from microblog.services.permissions import can, require
from microblog.services.posts import get_published
from microblog.services.text import required_text

EDIT_WINDOW = timedelta(minutes=15)


def get_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(_("There is no such comment."))
    return comment


@dataclass(frozen=True)
class CommentHeader:
    """A comment on a page, without its words: who wrote it, and when.

    It is all a post's page needs for a comment whose card it has rendered before
    (:mod:`microblog.blueprints.cards` finds the card by these, and the rules who may
    edit or delete it read them). Read as plain rows, fifty of these cost a fraction
    of fifty comments and their authors loaded as objects, which was a quarter of
    the page; :func:`whole` loads the comments whose cards are not rendered yet.
    """

    id: int
    post: Post
    user_id: int
    created_at: datetime
    updated_at: datetime
    author_name: str
    author_email: str


# A post's comments, as headers: built once, the post a bound parameter (the statement
# that reads a page of it is kept too, see microblog.pagination).
ON_POST = (
    sa.select(Comment.id, Comment.user_id, Comment.created_at, Comment.updated_at,
              User.username.label("author_name"), User.email.label("author_email"))
    .join(Comment.author)
    .where(Comment.post_id == sa.bindparam("post_id"))
    .order_by(Comment.created_at, Comment.id)
)


def for_post(post: Post, page: int, per_page: int) -> Page[CommentHeader]:
    """A page of a post's comments, oldest first, so a conversation reads top to bottom."""
    found = paginate(ON_POST, page, per_page, params={"post_id": post.id})
    return replace(found, items=[CommentHeader(post=post, **row._mapping) for row in found.items])


def whole(post: Post, headers: Sequence[CommentHeader]) -> list[Comment | None]:
    """The comments ``headers`` name, with their authors, in one query and in the same
    order; None for one deleted since its header was read.

    Each comment is handed ``post`` as its ``comment.post`` (the rules ask who
    wrote the post), rather than finding it again by id, fifty times a page.
    """
    found = in_order(sa.select(Comment).options(so.joinedload(Comment.author)),
                     [header.id for header in headers])
    for comment in found:
        if comment is not None:
            set_committed_value(comment, "post", post)
    return found


def page_of(comment: Comment, per_page: int) -> int:
    """The page of its post's comments that ``comment`` is on."""
    earlier = db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(
            Comment.post_id == comment.post_id,
            sa.or_(Comment.created_at < comment.created_at,
                   sa.and_(Comment.created_at == comment.created_at, Comment.id < comment.id)),
        )
    )
    return earlier // per_page + 1


def _body(text: str | None) -> str:
    return required_text(
        text, field="body", max_length=COMMENT_MAX_LENGTH, empty=_("Write a comment first."),
        too_long=_("Comments are at most %(max)d characters.", max=COMMENT_MAX_LENGTH),
    )


def _commit_with_counts(post_id: int) -> None:
    """Commit a comment added or removed, with its post's count recounted in the same
    transaction, then let the cached popular list go."""
    db.session.flush()
    recount([post_id])
    db.session.commit()
    invalidate(ENGAGEMENT)


def add(author: User, post_id: int, text: str) -> Comment:
    """Comment on a published post; needs COMMENT (a confirmed email, by default)."""
    require(author, Permission.COMMENT)
    post = get_published(post_id)
    comment = Comment(body=_body(text), post=post, author=author)
    comment.body_html = render_comment(comment.body)
    db.session.add(comment)
    _commit_with_counts(post.id)
    return comment


def may_edit(user: User | None, comment: Comment | CommentHeader) -> bool:
    return which_may_edit(user)(comment)


def may_delete(user: User | None, comment: Comment | CommentHeader) -> bool:
    return which_may_delete(user, comment.post)(comment)


# The rules themselves, as questions about one comment, with what does not depend on the
# comment asked once: a post's page asks both for fifty comments, and asking fifty times
# whether the visitor is a moderator was a tenth of the page's CPU.
Rule = Callable[[Comment | CommentHeader], bool]


def which_may_edit(user: User | None) -> Rule:
    """Whether ``user`` may edit a comment: their own, while it is recent, if they may
    comment at all."""
    if not can(user, Permission.COMMENT):
        return lambda comment: False
    since = utcnow() - EDIT_WINDOW
    return lambda comment: comment.user_id == user.id and comment.created_at >= since


def which_may_delete(user: User | None, post: Post) -> Rule:
    """Whether ``user`` may delete a comment under ``post``: the post's author and
    moderators any of them, everyone else their own."""
    if not getattr(user, "is_authenticated", False) or user.disabled:
        return lambda comment: False
    if user.id == post.user_id or can(user, Permission.MODERATE):
        return lambda comment: True
    return lambda comment: comment.user_id == user.id


def require_may_edit(user: User | None, comment: Comment) -> None:
    """PermissionDenied unless ``user`` may change ``comment``, saying why."""
    if may_edit(user, comment):
        return
    if getattr(user, "is_authenticated", False) and user.id == comment.user_id:
        require(user, Permission.COMMENT)  # "confirm your email first", when that is why
        raise PermissionDenied(_("Comments can be changed for %(minutes)d minutes "
                                 "after they are written.", minutes=EDIT_WINDOW.seconds // 60))
    raise PermissionDenied(_("Only the comment's author may change it."))


def edit(user: User, comment: Comment, text: str) -> Comment:
    """Correct a comment, by its author, within ``EDIT_WINDOW`` of writing it."""
    require_may_edit(user, comment)
    comment.body = _body(text)
    comment.body_html = render_comment(comment.body)
    comment.edited_at = utcnow()
    db.session.commit()
    invalidate(ENGAGEMENT)  # searches for comments remember their words
    return comment


def delete(user: User, comment: Comment) -> Post:
    """Delete a comment; returns its post, whose page the person goes back to."""
    if not may_delete(user, comment):
        raise PermissionDenied(_("You may delete only your own comments, or comments on "
                                 "your posts."))
    post = comment.post
    db.session.delete(comment)
    _commit_with_counts(post.id)
    return post
