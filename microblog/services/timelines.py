"""Pages of posts: the home timeline, explore, a profile, a category, a tag, likes,
drafts; the newest posts for feeds and the sitemap; and the shared lists beside
them (featured, popular, recent).

Every page is one query (the home timeline two): published posts only, newest
first, each post's author and category joined in (no N+1). Comment and like
counts are columns of the post; whether the viewer liked each post is asked in
the same query (``viewer``, see ``posts.with_viewer_likes``). The side lists
are the same for every visitor, so they are cached as plain data and
invalidated by the services that change what they show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.caching import CATEGORIES, ENGAGEMENT, POSTS, cached
from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.category import Category
from microblog.models.comment import Comment
from microblog.models.follow import followers
from microblog.models.like import likes
from microblog.models.post import Post
from microblog.models.tag import Tag, post_tags
from microblog.models.user import User
from microblog.pagination import Cursor, Page, paginate, paginate_newest
from microblog.services.posts import with_viewer_likes

POPULAR_DAYS = 7
SIDE_LIST_LENGTH = 5
FEATURED_LENGTH = 3


def _with_authors(query: sa.Select) -> sa.Select:
    """Authors and categories come in the same query: one query per page, not one per post."""
    return query.options(so.joinedload(Post.author), so.joinedload(Post.category))


def _newest_first(query: sa.Select) -> sa.Select:
    """Published posts, newest first, ``id`` breaking ties."""
    return _with_authors(query.where(Post.published_at.is_not(None))).order_by(
        Post.published_at.desc(), Post.id.desc()
    )


def _page_newest(query: sa.Select, page: int, per_page: int, cursor: Cursor | None,
                 viewer: User | None) -> Page[Post]:
    """``query``'s published posts, newest first, one page (keyset when a cursor is
    given), each knowing whether ``viewer`` liked it."""
    query = _newest_first(query).options(*with_viewer_likes(viewer))
    return paginate_newest(query, page, per_page, cursor, key=(Post.published_at, Post.id))


def home_timeline(user: User, page: int, per_page: int,
                  cursor: Cursor | None = None) -> Page[Post]:
    """The user's own posts and those of everyone they follow (``user`` is the viewer).

    Two queries, on purpose: first the ids of the people followed, then their
    posts with those ids written out. Seeing the actual ids, the database can
    choose well: walk the newest posts of the whole site when the followed
    people write much of it, or read just their few posts through
    ``(user_id, published_at, id)`` when they write little. Asked with a
    subquery (or the tutorial's OR over a join) it must guess, and for someone
    who follows nobody it walked all million posts to find none (7 s).
    """
    authors = [user.id, *db.session.scalars(
        sa.select(followers.c.followed_id).where(followers.c.follower_id == user.id)
    )]
    query = sa.select(Post).where(Post.user_id.in_(authors))
    return _page_newest(query, page, per_page, cursor, user)


def explore(page: int, per_page: int, cursor: Cursor | None = None, *,
            viewer: User | None = None) -> Page[Post]:
    """Everyone's posts."""
    return _page_newest(sa.select(Post), page, per_page, cursor, viewer)


def posts_by(user: User, page: int, per_page: int, cursor: Cursor | None = None, *,
             viewer: User | None = None) -> Page[Post]:
    """One user's published posts, for their profile."""
    return _page_newest(sa.select(Post).where(Post.user_id == user.id), page, per_page, cursor,
                        viewer)


def drafts_of(user: User, page: int, per_page: int) -> Page[Post]:
    """A user's unpublished articles, last changed first: shown to that user alone."""
    query = _with_authors(
        sa.select(Post).where(Post.user_id == user.id, Post.published_at.is_(None))
    ).order_by(Post.updated_at.desc(), Post.id.desc())
    return paginate(query, page, per_page)


def in_category(category: Category, page: int, per_page: int,
                cursor: Cursor | None = None, *, viewer: User | None = None) -> Page[Post]:
    query = sa.select(Post).where(Post.category_id == category.id)
    return _page_newest(query, page, per_page, cursor, viewer)


def tagged(tag: str, page: int, per_page: int, cursor: Cursor | None = None, *,
           viewer: User | None = None) -> Page[Post]:
    """Posts carrying ``tag`` (any case); an unknown tag is simply an empty first page."""
    query = (
        sa.select(Post)
        .join(post_tags, post_tags.c.post_id == Post.id)
        .join(Tag, Tag.id == post_tags.c.tag_id)
        .where(Tag.name == tag.lower())
    )
    return _page_newest(query, page, per_page, cursor, viewer)


def liked_by(user: User, page: int, per_page: int, *,
             viewer: User | None = None) -> Page[Post]:
    """The posts ``user`` liked, most recently liked first."""
    query = _with_authors(
        sa.select(Post)
        .join(likes, likes.c.post_id == Post.id)
        .where(likes.c.user_id == user.id, Post.published_at.is_not(None))
    ).order_by(likes.c.created_at.desc(), Post.id.desc()).options(*with_viewer_likes(viewer))
    return paginate(query, page, per_page)


def newest(limit: int, *, author: User | None = None,
           category: Category | None = None) -> list[Post]:
    """The latest ``limit`` published posts (of ``author``, or in ``category``), for feeds."""
    query = sa.select(Post)
    if author is not None:
        query = query.where(Post.user_id == author.id)
    if category is not None:
        query = query.where(Post.category_id == category.id)
    return list(db.session.scalars(_newest_first(query).limit(limit)))


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
            for post in db.session.scalars(_newest_first(query))
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
        return [_link(post) for post in db.session.scalars(_newest_first(query))]

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

    # Old activity leaves the window as time passes: the timeout refreshes it.
    return cached("popular", compute, depends_on=[POSTS, ENGAGEMENT], timeout=300)


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
