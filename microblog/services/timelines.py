"""Pages of posts: the home timeline, explore, a profile, a category, a tag, likes,
drafts; and the newest posts for feeds and the sitemap.

Every page is one query (the home timeline two): published posts only, newest
first, read ids first (:mod:`microblog.pagination`), each post as the plain row a
list shows (:class:`~microblog.services.listings.ListedPost`: its author's name and
its category joined in, no N+1, and whether the viewer liked it asked in the same
statement). Comment and like counts are columns of the post. The lists beside
Explore's posts are :mod:`microblog.services.side_lists`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects.postgresql import ARRAY

from microblog.database import PLAN_EACH_TIME, built_once
from microblog.extensions import db
from microblog.models.category import Category
from microblog.models.follow import followers
from microblog.models.like import likes
from microblog.models.post import Post
from microblog.models.tag import Tag, post_tags
from microblog.models.user import User
from microblog.pagination import Cursor, Key, Page, paginate, paginate_newest
from microblog.services.listings import ListedPost, listed_posts, post_columns

NEWEST = (Post.published_at, Post.id)
# A tag's page is ordered by the copy of each post's date its tag rows hold (kept by
# triggers, migration 0007), so its ids come from one walk of (tag_id, published_at).
TAG_NEWEST = (post_tags.c.published_at, post_tags.c.post_id)


def newest_first(query: sa.Select) -> sa.Select:
    """Published posts, newest first, ``id`` breaking ties."""
    return query.where(Post.published_at.is_not(None)).order_by(
        Post.published_at.desc(), Post.id.desc()
    )


def with_authors(query: sa.Select) -> sa.Select:
    """Authors and categories come in the same query: one query per page, not one per post."""
    return query.options(so.joinedload(Post.author), so.joinedload(Post.category))


def _page(query: sa.Select, viewer: User | None, page: int, per_page: int,
          cursor: Cursor | None = None, newest: bool = True, key: Key = NEWEST,
          **values: object) -> Page[ListedPost]:
    """A page of ``query``'s posts as a list shows them, each knowing whether ``viewer``
    liked it; ``values`` are the query's bound parameters. Newest first (keyset when a
    cursor is given), or, with ``newest=False``, in the query's own order by OFFSET."""
    read, asked = post_columns(viewer)
    values = {**values, **asked}
    if newest:
        found = paginate_newest(query, page, per_page, cursor, key, read=read, values=values)
    else:
        found = paginate(query, page, per_page, read=read, values=values)
    return replace(found, items=listed_posts(found.items))


# Each list's statement is built once (database.built_once): what differs from one view
# to the next, whose posts, which category, is a bound parameter, given its value when
# the page is read.

def home_timeline(user: User, page: int, per_page: int,
                  cursor: Cursor | None = None) -> Page[ListedPost]:
    """The user's own posts and those of everyone they follow (``user`` is the viewer).

    Two queries, on purpose: first the ids of the people followed, then their
    posts with those ids written out. Seeing the actual ids, the database can
    choose well: walk the newest posts of the whole site when the followed
    people write much of it, or read just their few posts through
    ``(user_id, published_at, id)`` when they write little. Asked with a
    subquery (or the tutorial's OR over a join) it must guess, and for someone
    who follows nobody it walked all million posts to find none (7 s).
    """
    followed = built_once("followed", lambda: sa.select(followers.c.followed_id).where(
        followers.c.follower_id == sa.bindparam("user_id")))
    authors = [user.id, *db.session.scalars(followed, {"user_id": user.id})]
    return _page(_written_by(), user, page, per_page, cursor, authors=authors)


def _written_by() -> sa.Select:
    """The posts of ``:authors``, newest first. SQLite is given an IN list, a parameter
    per id. PostgreSQL is given the ids as one array, so the statement's text is the
    same however many people someone follows, and it is planned each time for the ids
    it is given (:data:`~microblog.database.PLAN_EACH_TIME`; the guide's chapter 27
    says why)."""
    if db.engine.dialect.name != "postgresql":
        return built_once("home", lambda: newest_first(sa.select(Post).where(
            Post.user_id.in_(sa.bindparam("authors", expanding=True)))))
    return built_once("home-postgresql", lambda: newest_first(sa.select(Post).where(
        Post.user_id == sa.any_(sa.bindparam("authors", type_=ARRAY(sa.Integer)))
    )).execution_options(**{PLAN_EACH_TIME: True}))


def explore(page: int, per_page: int, cursor: Cursor | None = None, *,
            viewer: User | None = None, leaving_out: Sequence[int] = ()) -> Page[ListedPost]:
    """Everyone's posts but those in ``leaving_out`` (the featured articles, which Explore
    shows above its posts: every page leaves out the same ones, so pages stay whole)."""
    if not leaving_out:
        query = built_once("explore", lambda: newest_first(sa.select(Post)))
        return _page(query, viewer, page, per_page, cursor)
    query = built_once("explore_leaving_out", lambda: newest_first(sa.select(Post).where(
        Post.id.not_in(sa.bindparam("leaving_out", expanding=True)))))
    return _page(query, viewer, page, per_page, cursor, leaving_out=list(leaving_out))


def posts_by(user: User, page: int, per_page: int, cursor: Cursor | None = None, *,
             viewer: User | None = None) -> Page[ListedPost]:
    """One user's published posts, for their profile."""
    query = built_once("posts_by", lambda: newest_first(
        sa.select(Post).where(Post.user_id == sa.bindparam("author_id"))))
    return _page(query, viewer, page, per_page, cursor, author_id=user.id)


def drafts_of(user: User, page: int, per_page: int) -> Page[ListedPost]:
    """A user's unpublished articles, last changed first: shown to that user alone
    (drafts cannot be liked, so nobody is asked)."""
    query = built_once("drafts", lambda: sa.select(Post).where(
        Post.user_id == sa.bindparam("author_id"), Post.published_at.is_(None),
    ).order_by(Post.updated_at.desc(), Post.id.desc()))
    return _page(query, None, page, per_page, newest=False, author_id=user.id)


def in_category(category: Category, page: int, per_page: int,
                cursor: Cursor | None = None, *,
                viewer: User | None = None) -> Page[ListedPost]:
    query = built_once("in_category", lambda: newest_first(
        sa.select(Post).where(Post.category_id == sa.bindparam("category_id"))))
    return _page(query, viewer, page, per_page, cursor, category_id=category.id)


def tagged(tag: str, page: int, per_page: int, cursor: Cursor | None = None, *,
           viewer: User | None = None) -> Page[ListedPost]:
    """Posts carrying ``tag`` (any case); an unknown tag is simply an empty first page.

    The tag is found by a subquery, not a join: joined by name, PostgreSQL sorted all
    of the tag's rows. A draft's tag rows hold no date, and are left out."""
    query = built_once("tagged", lambda: sa.select(Post)
                       .join(post_tags, post_tags.c.post_id == Post.id)
                       .where(post_tags.c.tag_id == sa.select(Tag.id).where(
                           Tag.name == sa.bindparam("tag")).scalar_subquery(),
                           post_tags.c.published_at.is_not(None))
                       .order_by(post_tags.c.published_at.desc(), post_tags.c.post_id.desc()))
    return _page(query, viewer, page, per_page, cursor, key=TAG_NEWEST, tag=tag.lower())


def liked_by(user: User, page: int, per_page: int, *,
             viewer: User | None = None) -> Page[ListedPost]:
    """The posts ``user`` liked, most recently liked first."""
    query = built_once("liked_by", lambda: sa.select(Post)
                       .join(likes, likes.c.post_id == Post.id)
                       .where(likes.c.user_id == sa.bindparam("liker_id"),
                              Post.published_at.is_not(None))
                       .order_by(likes.c.created_at.desc(), Post.id.desc()))
    return _page(query, viewer, page, per_page, newest=False, liker_id=user.id)


def newest(limit: int, *, author: User | None = None,
           category: Category | None = None) -> list[Post]:
    """The latest ``limit`` published posts (of ``author``, or in ``category``), for feeds."""
    query = sa.select(Post)
    if author is not None:
        query = query.where(Post.user_id == author.id)
    if category is not None:
        query = query.where(Post.category_id == category.id)
    return list(db.session.scalars(with_authors(newest_first(query)).limit(limit)))


@dataclass(frozen=True)
class Permalink:
    """A published post's address and when it last changed, for the sitemap."""

    id: int
    slug: str | None
    changed_at: datetime


def permalinks(limit: int) -> list[Permalink]:
    """Every published post (newest first, at most ``limit``), without loading its text."""
    query = (
        sa.select(Post.id, Post.slug, Post.published_at, Post.edited_at)
        .where(Post.published_at.is_not(None))
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(limit)
    )
    return [Permalink(post_id, slug, edited or published)
            for post_id, slug, published, edited in db.session.execute(query)]
