"""The lists beside Explore's posts: featured articles, recent articles, popular this
week, and the categories with their counts.

They are the same for every visitor, so each is kept in the shared cache
(:func:`microblog.caching.cached`) as plain data, under the namespaces of what it
shows: a new article, a like or a renamed category invalidates them
(:mod:`microblog.services.transactions`), and the next view computes them afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from microblog.caching import CATEGORIES, ENGAGEMENT, POSTS, cached
from microblog.extensions import db
from microblog.markdown import excerpt_is_whole
from microblog.models.base import utcnow
from microblog.models.category import Category
from microblog.models.comment import Comment
from microblog.models.like import likes
from microblog.models.post import Post
from microblog.services.timelines import newest_first, with_authors

POPULAR_DAYS = 7
# Old activity leaves the popular list's window as time passes: it is recomputed this often.
POPULAR_REFRESH_SECONDS = 300
SIDE_LIST_LENGTH = 5
FEATURED_LENGTH = 3


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
    whole: bool = False  # the excerpt is all of it (markdown.excerpt_is_whole)


def featured() -> list[ArticleCard]:
    """The newest featured articles, for the top of Explore."""
    def compute():
        query = sa.select(Post).where(Post.featured).limit(FEATURED_LENGTH)  # ix_posts_featured
        return [
            ArticleCard(post.id, post.title or "", post.slug, post.excerpt or "",
                        post.author.username, post.published_at,
                        post.category.name if post.category else None,
                        post.category.slug if post.category else None,
                        excerpt_is_whole(post.excerpt or "", post.body_html))
            for post in db.session.scalars(with_authors(newest_first(query)))
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
    """The newest published articles but the featured ones (Explore shows those above)."""
    def compute():
        query = sa.select(Post).where(Post.title.is_not(None)).limit(SIDE_LIST_LENGTH)
        if shown := [article.id for article in featured()]:
            query = query.where(Post.id.not_in(shown))
        return [_link(post) for post in db.session.scalars(with_authors(newest_first(query)))]

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
        query = with_authors(
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
