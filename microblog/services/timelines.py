"""Pages of posts: the home timeline, explore, a profile, a category, a tag, likes,
drafts; the newest posts for feeds and the sitemap; and the shared lists beside
them (featured, popular, recent).

Every page is one query (the home timeline two): published posts only, newest
first. A page is of :class:`PostHeader`: what each post's card needs to be found
among those already rendered, read as plain rows with the author's name and the
category joined in (no N+1); :func:`whole` loads the posts whose cards are not.
Comment and like counts are columns of the post; whether the viewer liked each
post is asked in the same query (``viewer``, see ``posts.liked_by_id``). The side lists
are the same for every visitor, so they are cached as plain data and
invalidated by the services that change what they show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects.postgresql import ARRAY

from microblog.caching import CATEGORIES, ENGAGEMENT, POSTS, cached
from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.category import Category
from microblog.models.comment import Comment
from microblog.models.connections import PLAN_EACH_TIME
from microblog.models.follow import followers
from microblog.models.like import likes
from microblog.models.post import Post
from microblog.models.tag import Tag, post_tags
from microblog.models.user import User
from microblog.pagination import Cursor, Page, Shape, paginate, paginate_newest
from microblog.services.loading import VIEWER_ID, bind_viewer, in_order
from microblog.services.posts import liked_by_id

POPULAR_DAYS = 7
# Old activity leaves the popular list's window as time passes: it is recomputed this often.
POPULAR_REFRESH_SECONDS = 300
SIDE_LIST_LENGTH = 5
FEATURED_LENGTH = 3


@dataclass(frozen=True)
class PostHeader:
    """A post on a page of posts, without its words: what finds its card.

    Cards are rendered once and kept (:mod:`microblog.blueprints.cards`), so most
    page views need only enough of each post to find its card: its version, its
    counts, its author's name and email (their picture, with Gravatar), its category,
    and whether the visitor liked it. Read as plain rows, 25 of these cost about
    half of what 25 posts with their authors and categories cost as ORM objects;
    :func:`whole` loads the posts whose cards are missing.
    """

    id: int
    published_at: datetime | None
    updated_at: datetime
    comment_count: int
    like_count: int
    author_name: str
    author_email: str
    category_slug: str | None
    category_name: str | None
    liked_by_viewer: bool | None  # None: not asked (a visitor logged out)


@cache
def _headers(member: bool) -> Shape:
    """What a page of posts reads: a query of posts turned into one of their
    :class:`PostHeader` (the pagination chooses the page's ids without these joins).
    Whether the visitor liked each post is asked of a member (``:viewer_id``)."""
    liked = liked_by_id(VIEWER_ID) if member else sa.null()

    def shape(query: sa.Select) -> sa.Select:
        return query.join(Post.author).outerjoin(Post.category).with_only_columns(
            Post.id, Post.published_at, Post.updated_at, Post.comment_count, Post.like_count,
            User.username.label("author_name"), User.email.label("author_email"),
            Category.slug.label("category_slug"), Category.name.label("category_name"),
            liked.label("liked_by_viewer"),
        )
    return shape


def _header_page(found: Page) -> Page[PostHeader]:
    return replace(found, items=[PostHeader(**row._mapping) for row in found.items])


def _read(query: sa.Select, viewer: User | None, page: int, per_page: int,
          cursor: Cursor | None = None, newest: bool = True, **values: object) -> Page[PostHeader]:
    """A page of headers of ``query``'s posts, each knowing whether ``viewer`` liked it;
    ``values`` are its bound parameters. Newest first (keyset when a cursor is given),
    or, with ``newest=False``, in the query's own order by OFFSET."""
    member, values = bind_viewer(viewer, values)
    shape = _headers(member)
    if newest:
        found = paginate_newest(query, page, per_page, cursor, NEWEST, shape=shape,
                                params=values)
    else:
        found = paginate(query, page, per_page, shape=shape, params=values)
    return _header_page(found)


def whole(headers: Sequence[PostHeader]) -> list[Post | None]:
    """The posts ``headers`` name, with their authors and categories, in one query and
    in the same order; None for one deleted since its header was read."""
    return in_order(_with_authors(sa.select(Post)), [header.id for header in headers])


def _with_authors(query: sa.Select) -> sa.Select:
    """Authors and categories come in the same query: one query per page, not one per post."""
    return query.options(so.joinedload(Post.author), so.joinedload(Post.category))


NEWEST = (Post.published_at, Post.id)


def _newest_first(query: sa.Select) -> sa.Select:
    """Published posts, newest first, ``id`` breaking ties."""
    return query.where(Post.published_at.is_not(None)).order_by(
        Post.published_at.desc(), Post.id.desc()
    )


# The lists of posts. Each is built once, here, and so is the statement that reads a
# page of it (pagination keeps it for each query): what differs from one view to the
# next, the person, the category, the page, is a parameter bound when it runs.
# Building them anew cost a third of an Explore page's CPU.
FOLLOWED = sa.select(followers.c.followed_id).where(
    followers.c.follower_id == sa.bindparam("user_id"))
# The people whose posts a home timeline shows are one bound parameter, ``authors``.
# Portable SQL has only IN lists: SQLAlchemy expands the parameter into one per id each
# time the statement runs, and the statement's text then differs with their number.
# PostgreSQL takes the whole list as one array, so its statement is the same short text
# every time (expanding 51 ids, and parsing the SQL that held them, was a fifth of a
# home page's CPU). It is planned each time for the ids it is given, never with a plan
# kept for any ids (see home_timeline).
HOME = _newest_first(sa.select(Post).where(
    Post.user_id.in_(sa.bindparam("authors", expanding=True))))
HOME_POSTGRESQL = _newest_first(sa.select(Post).where(
    Post.user_id == sa.any_(sa.bindparam("authors", type_=ARRAY(sa.Integer)))
)).execution_options(**{PLAN_EACH_TIME: True})
EVERYONE = _newest_first(sa.select(Post))
BY_AUTHOR = _newest_first(sa.select(Post).where(Post.user_id == sa.bindparam("author_id")))
IN_CATEGORY = _newest_first(sa.select(Post).where(
    Post.category_id == sa.bindparam("category_id")))
TAGGED = _newest_first(
    sa.select(Post)
    .join(post_tags, post_tags.c.post_id == Post.id)
    .join(Tag, Tag.id == post_tags.c.tag_id)
    .where(Tag.name == sa.bindparam("tag"))
)
LIKED_BY = (
    sa.select(Post)
    .join(likes, likes.c.post_id == Post.id)
    .where(likes.c.user_id == sa.bindparam("liker_id"), Post.published_at.is_not(None))
    .order_by(likes.c.created_at.desc(), Post.id.desc())
)
DRAFTS = sa.select(Post).where(Post.user_id == sa.bindparam("author_id"),
                               Post.published_at.is_(None)) \
    .order_by(Post.updated_at.desc(), Post.id.desc())


def home_timeline(user: User, page: int, per_page: int,
                  cursor: Cursor | None = None) -> Page[PostHeader]:
    """The user's own posts and those of everyone they follow (``user`` is the viewer).

    Two queries, on purpose: first the ids of the people followed, then their
    posts with those ids written out. Seeing the actual ids, the database can
    choose well: walk the newest posts of the whole site when the followed
    people write much of it, or read just their few posts through
    ``(user_id, published_at, id)`` when they write little. Asked with a
    subquery (or the tutorial's OR over a join) it must guess, and for someone
    who follows nobody it walked all million posts to find none (7 s). For the
    same reason the statement is planned each time, for the ids it is given
    (:data:`~microblog.models.connections.PLAN_EACH_TIME`): a plan kept from earlier
    views, made for any ids, read every post of the people followed and sorted
    them (7.6 ms where the walk takes 0.6, at 100,000 posts).
    """
    authors = [user.id, *db.session.scalars(FOLLOWED, {"user_id": user.id})]
    query = HOME_POSTGRESQL if db.engine.dialect.name == "postgresql" else HOME
    return _read(query, user, page, per_page, cursor, authors=authors)


def explore(page: int, per_page: int, cursor: Cursor | None = None, *,
            viewer: User | None = None) -> Page[PostHeader]:
    """Everyone's posts."""
    return _read(EVERYONE, viewer, page, per_page, cursor)


def posts_by(user: User, page: int, per_page: int, cursor: Cursor | None = None, *,
             viewer: User | None = None) -> Page[PostHeader]:
    """One user's published posts, for their profile."""
    return _read(BY_AUTHOR, viewer, page, per_page, cursor, author_id=user.id)


def drafts_of(user: User, page: int, per_page: int) -> Page[PostHeader]:
    """A user's unpublished articles, last changed first: shown to that user alone."""
    # Drafts cannot be liked: asking costs an EXISTS per row, and saves liked_ids a query.
    return _read(DRAFTS, user, page, per_page, newest=False, author_id=user.id)


def in_category(category: Category, page: int, per_page: int,
                cursor: Cursor | None = None, *, viewer: User | None = None) -> Page[PostHeader]:
    return _read(IN_CATEGORY, viewer, page, per_page, cursor, category_id=category.id)


def tagged(tag: str, page: int, per_page: int, cursor: Cursor | None = None, *,
           viewer: User | None = None) -> Page[PostHeader]:
    """Posts carrying ``tag`` (any case); an unknown tag is simply an empty first page."""
    return _read(TAGGED, viewer, page, per_page, cursor, tag=tag.lower())


def liked_by(user: User, page: int, per_page: int, *,
             viewer: User | None = None) -> Page[PostHeader]:
    """The posts ``user`` liked, most recently liked first."""
    return _read(LIKED_BY, viewer, page, per_page, newest=False, liker_id=user.id)


def newest(limit: int, *, author: User | None = None,
           category: Category | None = None) -> list[Post]:
    """The latest ``limit`` published posts (of ``author``, or in ``category``), for feeds."""
    query = sa.select(Post)
    if author is not None:
        query = query.where(Post.user_id == author.id)
    if category is not None:
        query = query.where(Post.category_id == category.id)
    return list(db.session.scalars(_with_authors(_newest_first(query)).limit(limit)))


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


# Side lists: cached, shared by every visitor ---------------------------------

@dataclass(frozen=True)
class ArticleCard:
    """A featured article as Explore shows it: plain data, so it can be cached."""

    id: int
    title: str
    slug: str | None
    excerpt: str
    author: str
    published_at: datetime
    category: str | None
    category_slug: str | None


def featured() -> list[ArticleCard]:
    """The newest featured articles, for the top of Explore."""
    def compute():
        query = sa.select(Post).where(Post.featured).limit(FEATURED_LENGTH)  # ix_posts_featured
        return [
            ArticleCard(post.id, post.title or "", post.slug, post.excerpt or "",
                        post.author.username, post.published_at,
                        post.category.name if post.category else None,
                        post.category.slug if post.category else None)
            for post in db.session.scalars(_with_authors(_newest_first(query)))
        ]

    return cached("featured", compute, depends_on=[POSTS, CATEGORIES])


@dataclass(frozen=True)
class PostLink:
    """Enough of a post to link to it, and nothing that could go stale unnoticed."""

    id: int
    title: str
    slug: str | None
    author: str
    score: int = 0


def _link(post: Post, score: int = 0) -> PostLink:
    title = post.title or post.excerpt or post.body
    return PostLink(post.id, title[:120], post.slug, post.author.username, score)


def recent_articles() -> list[PostLink]:
    """The newest published articles."""
    def compute():
        query = sa.select(Post).where(Post.title.is_not(None)).limit(SIDE_LIST_LENGTH)
        return [_link(post) for post in db.session.scalars(_with_authors(_newest_first(query)))]

    return cached("recent_articles", compute, depends_on=[POSTS])


def popular() -> list[PostLink]:
    """Published posts with the most likes and comments in the last seven days."""
    def compute():
        since = utcnow() - timedelta(days=POPULAR_DAYS)
        activity = sa.union_all(
            sa.select(likes.c.post_id.label("post_id")).where(likes.c.created_at >= since),
            sa.select(Comment.post_id.label("post_id")).where(Comment.created_at >= since),
        ).subquery()
        ranked = (
            sa.select(activity.c.post_id, sa.func.count().label("score"))
            .group_by(activity.c.post_id)
            .cte("ranked")
        )
        # A busy week scores tens of thousands of posts; only those scoring at least the
        # fifth best can make the list, so only they are joined to their rows.
        cutoff = (sa.select(ranked.c.score).order_by(ranked.c.score.desc())
                  .offset(SIDE_LIST_LENGTH - 1).limit(1).scalar_subquery())
        query = _with_authors(
            sa.select(Post, ranked.c.score)
            .join(ranked, ranked.c.post_id == Post.id)
            .where(Post.published_at.is_not(None),
                   ranked.c.score >= sa.func.coalesce(cutoff, 0))
        ).order_by(ranked.c.score.desc(), Post.published_at.desc()).limit(SIDE_LIST_LENGTH)
        return [_link(post, score) for post, score in db.session.execute(query)]

    return cached("popular", compute, depends_on=[POSTS, ENGAGEMENT],
                  timeout=POPULAR_REFRESH_SECONDS)


@dataclass(frozen=True)
class CategoryCount:
    id: int
    name: str
    slug: str
    posts: int


def categories_with_counts() -> list[CategoryCount]:
    """Every category, by name, with how many published posts it holds."""
    def compute():
        count = (
            sa.select(sa.func.count(Post.id))
            .where(Post.category_id == Category.id, Post.published_at.is_not(None))
            .scalar_subquery()
        )
        rows = db.session.execute(sa.select(Category, count).order_by(Category.name))
        return [CategoryCount(c.id, c.name, c.slug, n) for c, n in rows]

    return cached("category_counts", compute, depends_on=[POSTS, CATEGORIES])
