"""Searching posts, comments and people: the backend finds, this service loads.

The backend (chosen in ``create_app``) answers with ids, best match first, a
total and marked snippets. Here those ids become ORM objects in one query per
kind, in the backend's order, each beside its snippet as safe HTML. A page
past the last is NotFound, like every paginated page.

The backend's answers for posts and comments are cached (:mod:`microblog.caching`):
they are the same for everyone who asks, and their cost grows with the number of
matches, which a bigger site has more of. The cache keeps only ids, totals and
snippets, and is forgotten whenever posts (or, for comments, comments) change;
the rows themselves are loaded afresh on every request. People are not cached:
nothing announces a changed profile, and their search does not grow with posts.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import _
from markupsafe import Markup

from microblog.caching import ENGAGEMENT, POSTS, cached, invalidate
from microblog.errors import NotFound, ServiceError
from microblog.extensions import db
from microblog.models.comment import Comment
from microblog.models.post import Post
from microblog.models.user import User
from microblog.pagination import Page
from microblog.search import backend
from microblog.search.backend import Hits, Progress
from microblog.search.highlight import to_html
from microblog.search.query import SearchQuery, parse
from microblog.services.loading import in_order

__all__ = ["parse", "posts", "comments", "people", "SearchQuery"]

logger = logging.getLogger(__name__)
T = TypeVar("T")


class SearchFailed(ServiceError):
    """The database could not run the search (it is down or overloaded)."""


@dataclass(frozen=True)
class SearchPage(Page[T]):
    """A page of results, and how many results there are in all.

    ``more``: there are more than ``total``, which is then the bound the
    backend ranks within (see microblog.search.database).
    """

    total: int = 0
    more: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class PostResult:
    post: Post
    title: Markup | None  # an article's title, matched words marked
    snippet: Markup


@dataclass(frozen=True)
class CommentResult:
    comment: Comment
    snippet: Markup


@dataclass(frozen=True)
class PersonResult:
    user: User
    about_me: Markup


def posts(query: SearchQuery, page: int, per_page: int) -> SearchPage[PostResult]:
    """Published posts matching ``query``: statuses, article titles, bodies and tags."""
    hits = _find("posts", query, page, per_page, depends_on=[POSTS])
    found = _load(sa.select(Post).options(so.joinedload(Post.author),
                                          so.joinedload(Post.category)), Post, hits)
    return _page([
        PostResult(
            post,
            to_html(hit.highlights["title"]) if post.is_article else None,
            to_html(hit.highlights["body"], markdown=post.is_article),
        )
        for hit, post in found
    ], hits, page, per_page)


def comments(query: SearchQuery, page: int, per_page: int) -> SearchPage[CommentResult]:
    """Comments under published posts matching ``query``."""
    hits = _find("comments", query, page, per_page, depends_on=[POSTS, ENGAGEMENT])
    found = _load(sa.select(Comment).options(
        so.joinedload(Comment.author), so.joinedload(Comment.post).joinedload(Post.author)
    ), Comment, hits)
    return _page([CommentResult(comment, to_html(hit.highlights["body"], markdown=True))
                  for hit, comment in found], hits, page, per_page)


def people(query: SearchQuery, page: int, per_page: int) -> SearchPage[PersonResult]:
    """Accounts in good standing whose username or about-me matches ``query``."""
    hits = _find("people", query, page, per_page)
    found = _load(sa.select(User), User, hits)
    return _page([PersonResult(user, to_html(hit.highlights["about_me"]))
                  for hit, user in found], hits, page, per_page)


def _find(kind: str, query: SearchQuery, page: int, per_page: int,
          depends_on: list[str] | None = None) -> Hits:
    """A page of the backend's answer for ``kind`` ("posts", "comments", "people");
    cached while ``depends_on`` has not changed."""
    if page < 1 or per_page < 1:
        raise NotFound(_("There is no such page."))
    if query.is_empty:
        return Hits(total=0, hits=[])
    offset = (page - 1) * per_page
    search: Callable[[SearchQuery, int, int], Hits] = getattr(backend(), kind)
    try:
        if depends_on is None:
            hits = search(query, offset, per_page)
        else:
            hits = cached(_cache_key(kind, query, offset, per_page),
                          lambda: search(query, offset, per_page), depends_on)
    except sa.exc.DBAPIError as error:
        # Every query the backends write is valid for any input (the tests feed
        # them random text); what is left is the database failing.
        db.session.rollback()
        logger.error("search failed: %s", error.orig)
        raise SearchFailed(_("Search is not available right now. Please try again.")) from None
    if not hits.hits and page > 1:
        raise NotFound(_("There is no such page."))
    return hits


def _cache_key(kind: str, query: SearchQuery, offset: int, limit: int) -> str:
    """The backend, the kind, the page and the whole query, in a key of fixed length
    (a query is what anyone typed, up to a thousand characters)."""
    described = repr((backend().name, kind, query, offset, limit))
    return "search:" + hashlib.sha256(described.encode()).hexdigest()


def reindex(progress: Progress) -> None:
    """Rebuild the backend's index, and forget the answers cached from the old one."""
    backend().reindex(progress)
    invalidate(POSTS, ENGAGEMENT)


def _load(select: sa.Select, model: type, hits: Hits) -> list[tuple]:
    """``(hit, row)`` pairs in the backend's order, loaded in one query.

    A row deleted since the backend answered is left out.
    """
    rows = in_order(select, [hit.id for hit in hits.hits])
    return [(hit, row) for hit, row in zip(hits.hits, rows, strict=True) if row is not None]


def _page(items: list, hits: Hits, page: int, per_page: int) -> SearchPage:
    return SearchPage(items=items, page=page, per_page=per_page,
                      has_next=page * per_page < hits.total, total=hits.total, more=hits.more)
