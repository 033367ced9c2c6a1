"""What a list shows of each post or comment: plain rows, read for reading.

A page of posts or comments is a *query*: nothing on it changes. So it is read as
plain rows of just the columns the list shows (the author's name joined in, the
category's, whether the visitor liked the post), made into the frozen dataclasses
here, rather than as ORM objects: an object is for changing a row, and each one the
session tracks costs several times what a row does (25 posts with their authors and
categories as objects were most of a warm page's work). This is the "read model" of
*Architecture Patterns with Python* (chapter 12): commands go through the models,
queries may read plain data.

A listing is read in two steps. The page's query reads what tells one post or
comment from another and from its last change: ids, versions (``updated_at``),
counts, the author, the category. Its *words* (title, excerpt, HTML) are read in one
more query for the whole page, the first time a template asks for any of them
(:class:`Words`). Most views never do: the render cache (:mod:`microblog.fragments`)
has the card already, and its key is made of the first step's columns alone.

The templates read a listing as they would read the model (``post.author.username``,
``post.category.slug``, ``post.is_article``), so ``_post.html`` and
``blog/_comment.html`` do not care which they are given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from microblog.avatars import avatar_url
from microblog.database import built_once
from microblog.extensions import db
from microblog.markdown import excerpt_is_whole
from microblog.models.category import Category
from microblog.models.comment import Comment
from microblog.models.post import Post
from microblog.models.user import User
from microblog.services.loading import VIEWER_ID, liked_by


@dataclass(frozen=True)
class Author:
    id: int
    username: str
    email: str
    avatar_file: str | None = None

    def avatar(self, size: int = 80) -> str:
        return avatar_url(self.id, self.email, size, self.avatar_file)


@dataclass(frozen=True)
class CategoryLink:
    slug: str
    name: str


class Words:
    """The words of a page of posts (or comments), read in one query the first time
    any of them is asked for. A row deleted between the two queries has none."""

    def __init__(self, columns: Sequence[sa.ColumnElement], ids: list[int]) -> None:
        self._columns, self._ids = columns, ids
        self._found: dict[int, sa.Row] | None = None

    def of(self, row_id: int) -> sa.Row | None:
        if self._found is None:
            rows = db.session.connection().execute(
                built_once(("words", self._columns), self._statement), {"ids": self._ids})
            self._found = {row.id: row for row in rows}
        return self._found.get(row_id)

    def _statement(self) -> sa.Select:
        table = self._columns[0].table
        return sa.select(table.c.id, *self._columns).where(
            table.c.id.in_(sa.bindparam("ids", expanding=True)))


POST_WORDS = (Post.__table__.c.title, Post.__table__.c.slug, Post.__table__.c.excerpt,
              Post.__table__.c.body_html, Post.__table__.c.edited_at, Post.__table__.c.featured)
NO_POST_WORDS = {"title": None, "slug": None, "excerpt": None, "body_html": "",
                 "edited_at": None, "featured": False}


@dataclass(frozen=True)
class ListedPost:
    """A post as a list of posts shows it (``_post.html``); its words come from
    :class:`Words`, read for the whole page when first asked for."""

    id: int
    user_id: int
    published_at: datetime | None
    updated_at: datetime
    comment_count: int
    like_count: int
    author: Author
    category: CategoryLink | None
    liked_by_viewer: bool | None  # None: nobody was asked (a visitor logged out)
    language: str | None  # whether a translation is offered: in the card's key
    words: Words = field(repr=False, compare=False)

    def _word(self, name: str) -> Any:
        found = self.words.of(self.id)
        return NO_POST_WORDS[name] if found is None else getattr(found, name)

    title = property(lambda self: self._word("title"))
    slug = property(lambda self: self._word("slug"))
    excerpt = property(lambda self: self._word("excerpt"))
    body_html = property(lambda self: self._word("body_html"))
    edited_at = property(lambda self: self._word("edited_at"))
    featured = property(lambda self: self._word("featured"))

    @property
    def is_article(self) -> bool:
        return self.title is not None

    @property
    def excerpt_is_whole(self) -> bool:
        return excerpt_is_whole(self.excerpt or "", self.body_html)

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


def post_columns(viewer: Any) -> tuple[Callable[[sa.Select], sa.Select], dict[str, int]]:
    """What reads a page of posts as :class:`ListedPost` rows for ``viewer``, and the
    values its statement needs: a member is asked whether they liked each post
    (``:viewer_id``), a visitor logged out nothing."""
    if getattr(viewer, "is_authenticated", False):
        return _member_post_columns, {VIEWER_ID.key: viewer.id}
    return _visitor_post_columns, {}


def _member_post_columns(query: sa.Select) -> sa.Select:
    return _post_columns(query, liked_by(VIEWER_ID))


def _visitor_post_columns(query: sa.Select) -> sa.Select:
    return _post_columns(query, sa.null())


def _post_columns(query: sa.Select, liked: sa.ColumnElement) -> sa.Select:
    """``query`` (of posts) reading the columns of a :class:`ListedPost`, but its words:
    its author and category joined, and ``liked``, whether the viewer liked it."""
    return query.join(Post.author).outerjoin(Post.category).with_only_columns(
        Post.id, Post.user_id, Post.published_at, Post.updated_at,
        Post.comment_count, Post.like_count,
        Post.language,
        User.username.label("author_name"), User.email.label("author_email"),
        User.avatar_file.label("author_avatar"),
        Category.slug.label("category_slug"), Category.name.label("category_name"),
        liked.label("liked_by_viewer"),
    )


def listed_posts(rows: Sequence[sa.Row]) -> list[ListedPost]:
    words = Words(POST_WORDS, [row.id for row in rows])
    return [ListedPost(
        row.id, row.user_id, row.published_at, row.updated_at,
        row.comment_count, row.like_count, Author(row.user_id, row.author_name, row.author_email,
                                                    row.author_avatar),
        CategoryLink(row.category_slug, row.category_name) if row.category_slug else None,
        row.liked_by_viewer, row.language, words,
    ) for row in rows]


COMMENT_WORDS = (Comment.__table__.c.body_html, Comment.__table__.c.edited_at)


@dataclass(frozen=True)
class ListedComment:
    """A comment as a post's page shows it (``blog/_comment.html``); ``post`` is the
    post it is under, which the rules ask about (who may delete it)."""

    id: int
    user_id: int
    created_at: datetime
    updated_at: datetime
    author: Author
    post: Post
    language: str | None
    words: Words = field(repr=False, compare=False)

    @property
    def body_html(self) -> str:
        found = self.words.of(self.id)
        return "" if found is None else found.body_html

    @property
    def edited_at(self) -> datetime | None:
        found = self.words.of(self.id)
        return None if found is None else found.edited_at


def comment_columns(query: sa.Select) -> sa.Select:
    """``query`` (of comments) reading the columns of a :class:`ListedComment`, but its
    words."""
    return query.join(Comment.author).with_only_columns(
        Comment.id, Comment.user_id, Comment.created_at, Comment.updated_at,
        User.username, User.email, User.avatar_file, Comment.language,
    )


def listed_comments(rows: Sequence[sa.Row], post: Post) -> list[ListedComment]:
    words = Words(COMMENT_WORDS, [row.id for row in rows])
    return [ListedComment(row.id, row.user_id, row.created_at, row.updated_at,
                          Author(row.user_id, row.username, row.email,
                                 row.avatar_file), post, row.language, words)
            for row in rows]
