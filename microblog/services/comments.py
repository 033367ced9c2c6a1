"""Comments: who may write, edit and delete them, and reading a post's comments.

Comments are Markdown without headings, images or tables, rendered and
sanitised once when saved. Their author may correct one for a short while
(``EDIT_WINDOW``); after that a comment stands as written, so replies never end
up answering words that have changed. The comment's author, the post's author
and moderators may delete it. The post's ``comment_count`` is recounted in the
same transaction as every change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import _

from microblog.caching import ENGAGEMENT
from microblog.database import built_once
from microblog.errors import NotFound, PermissionDenied
from microblog.extensions import db
from microblog.language_detection import detect as detect_language
from microblog.markdown import excerpt, render_comment
from microblog.models.base import utcnow
from microblog.models.comment import COMMENT_MAX_LENGTH, Comment
from microblog.models.post import Post
from microblog.models.role import Permission
from microblog.models.user import User
from microblog.pagination import Page, paginate
from microblog.services import blocks, notifications
from microblog.services.counts import recount
from microblog.services.listings import ListedComment, comment_columns, listed_comments
from microblog.services.permissions import can, is_member, require
from microblog.services.posts import get_published
from microblog.services.text import required_text
from microblog.services.transactions import after_commit, commit

EDIT_WINDOW = timedelta(minutes=15)


def get_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(_("There is no such comment."))
    return comment


def for_post(post: Post, page: int, per_page: int) -> Page[ListedComment]:
    """A page of a post's comments as its page shows them (plain rows, their authors'
    names joined in, their words read when first asked for:
    :mod:`microblog.services.listings`), oldest first, so a conversation reads top to
    bottom."""
    query = built_once("comments_on", lambda: sa.select(Comment).where(
        Comment.post_id == sa.bindparam("post_id")).order_by(Comment.created_at, Comment.id))
    found = paginate(query, page, per_page, read=comment_columns, values={"post_id": post.id})
    return replace(found, items=listed_comments(found.items, post))


LIVE_BATCH = 50  # comments a live page is sent at once; it asks again for more


def newer_than(post: Post, after_id: int, again: int = 0) -> list[ListedComment]:
    """What a page holding ``post``'s comments up to comment ``after_id`` has not shown
    (new ones, and those written while it was offline), oldest first, at most
    :data:`LIVE_BATCH`; with comment ``again`` too, corrected since it was shown.
    Comments' ids grow as they are written, so "after this id" is "since"."""
    query = built_once("comments_after", lambda: comment_columns(sa.select(Comment).where(
        Comment.post_id == sa.bindparam("post_id"),
        sa.or_(Comment.id > sa.bindparam("after_id"), Comment.id == sa.bindparam("again")),
    ).order_by(Comment.id).limit(sa.bindparam("limit"))))
    rows = db.session.execute(query, {"post_id": post.id, "after_id": after_id,
                                      "again": again, "limit": LIVE_BATCH}).all()
    return listed_comments(rows, post)


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


def _tell_readers(fact: str, post_id: int, comment_id: int) -> None:
    """Once the change has committed, the post's open pages hear of it
    (:mod:`microblog.realtime`) and show it without a reload."""
    from microblog.realtime import publish

    after_commit(lambda: publish(fact, post_id=post_id, comment_id=comment_id))


def _commit_with_counts(post_id: int) -> None:
    """Commit a comment added or removed, with its post's count recounted in the same
    transaction."""
    db.session.flush()
    recount([post_id])
    commit(changes=[ENGAGEMENT])


def add(author: User, post_id: int, text: str) -> Comment:
    """Comment on a published post; needs COMMENT (a confirmed email, by default), and
    no block between the commenter and the post's author."""
    require(author, Permission.COMMENT)
    post = get_published(post_id)
    blocks.require_no_block(author, post.author, blocks.COMMENT)
    comment = Comment(body=_body(text), post=post, author=author)
    comment.body_html = render_comment(comment.body)
    comment.language = detect_language(comment.body_html)
    db.session.add(comment)
    db.session.flush()
    about = {"actor": author.username, "post_id": post.id, "title": post.headline,
             "comment_id": comment.id, "excerpt": excerpt(comment.body_html, 140)}
    notifications.notify(post.author, notifications.COMMENT, actor=author,
                         group_key=f"comment:{comment.id}", payload=about)
    notifications.notify_mentions(comment.body, actor=author, except_ids={post.user_id},
                                  group_key=f"mention:comment:{comment.id}", payload=about)
    _tell_readers("comment_added", post.id, comment.id)
    _commit_with_counts(post.id)
    return comment


# The rules ------------------------------------------------------------------------

def may_edit(user: User | None, comment: Comment | ListedComment) -> bool:
    """Their own comment, while it is recent, if they may comment at all."""
    return (is_member(user) and comment.user_id == user.id
            and comment.created_at >= utcnow() - EDIT_WINDOW and can(user, Permission.COMMENT))


def may_delete(user: User | None, comment: Comment | ListedComment) -> bool:
    """The comment's author, the post's author, and moderators."""
    if not is_member(user):
        return False
    return user.id in (comment.user_id, comment.post.user_id) or can(user, Permission.MODERATE)


def require_may_edit(user: User | None, comment: Comment) -> None:
    """PermissionDenied unless ``user`` may change ``comment``, saying why."""
    if may_edit(user, comment):
        return
    if is_member(user) and user.id == comment.user_id:
        require(user, Permission.COMMENT)  # "confirm your email first", when that is why
        raise PermissionDenied(_("Comments can be changed for %(minutes)d minutes "
                                 "after they are written.", minutes=EDIT_WINDOW.seconds // 60))
    raise PermissionDenied(_("Only the comment's author may change it."))


def require_may_delete(user: User | None, comment: Comment) -> None:
    """PermissionDenied unless ``user`` may delete ``comment``."""
    if not may_delete(user, comment):
        raise PermissionDenied(_("You may delete only your own comments, or comments on "
                                 "your posts."))


# Writing ---------------------------------------------------------------------------

def edit(user: User, comment: Comment, text: str) -> Comment:
    """Correct a comment, by its author, within ``EDIT_WINDOW`` of writing it."""
    require_may_edit(user, comment)
    comment.body = _body(text)
    comment.body_html = render_comment(comment.body)
    comment.language = detect_language(comment.body_html)
    comment.edited_at = utcnow()
    _tell_readers("comment_edited", comment.post_id, comment.id)
    commit(changes=[ENGAGEMENT])  # searches for comments remember their words
    return comment


def delete(user: User, comment: Comment) -> Post:
    """Delete a comment; returns its post, whose page the person goes back to."""
    require_may_delete(user, comment)
    post = comment.post
    _tell_readers("comment_deleted", post.id, comment.id)
    db.session.delete(comment)
    _commit_with_counts(post.id)
    return post
