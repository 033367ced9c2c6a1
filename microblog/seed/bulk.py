"""Bulk data for benchmarks: ``flask seed --users … --posts …`` and ``make bench``.

It skips the ORM's per-object work: it builds plain rows in Python and streams
them with PostgreSQL's ``COPY`` (or batched ``executemany`` on SQLite). Every
seeded account shares one pre-computed password hash, because hashing 10,000
passwords with scrypt would take longer than the rest combined.

Popularity is skewed the way real networks are (:func:`_skewed_picker`), and so
are the words of the posts (:func:`_vocabulary`, from ``words.txt``): a few
accounts, tags and words come up far more often than the rest.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import random
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from microblog.extensions import db
from microblog.markdown import excerpt, render_article, render_comment, render_status
from microblog.models.base import utcnow
from microblog.models.category import Category
from microblog.models.comment import Comment
from microblog.models.follow import followers
from microblog.models.like import likes as likes_table
from microblog.models.post import EXCERPT_LENGTH, Post
from microblog.models.tag import Tag, post_tags
from microblog.models.user import User
from microblog.services.posts import slugify

SEEDED_PASSWORD = "password"  # every bulk account's, and the demo's people but demo
BATCH_SIZE = 10_000

WORDS = (
    "flask python blog coffee morning code deploy test database query index cache "
    "friend weekend music book garden river mountain idea coffee release bug fix "
    "tutorial learn write read share follow timeline template route model session "
    "happy today tomorrow finally great small quick slow new old first last"
).split()


@dataclass(frozen=True)
class BulkResult:
    users: int
    follows: int
    posts: int
    articles: int = 0
    comments: int = 0
    likes: int = 0


# What the bulk articles are filed under and tagged with (created when missing).
BULK_CATEGORIES = ["Python", "Databases", "Travel", "Food", "Music", "Notes"]
BULK_TAGS = ("flask python sql postgres sqlite cache deploy testing garden coffee hiking "
             "cooking books music travel photography design security linux career").split()


def bulk_seed(
    users: int,
    posts_count: int,
    follows_per_user: int,
    *,
    rng: random.Random | None = None,
    progress: Callable[[str, int], None] = lambda stage, n: None,
    articles_share: float = 0.05,
    comments_per_post: float = 0.2,
    likes_per_post: float = 0.5,
) -> BulkResult:
    """Add ``users`` accounts, about ``follows_per_user`` follows each, and ``posts_count`` posts.

    Popularity is skewed the way real networks are: a few accounts attract
    thousands of followers and write many posts, most write a few. Posts are
    spread over the past year; ``articles_share`` of them are titled Markdown
    articles (most in a category, many tagged), the rest statuses. Comments and
    likes (``comments_per_post`` and ``likes_per_post`` on average) go to
    articles and a tenth of the statuses, popular authors' posts far more often,
    and each post's stored counts are set from them at the end.
    """
    rng = rng or random.Random(42)
    first_id = (db.session.scalar(sa.select(sa.func.max(User.id))) or 0) + 1
    now = utcnow()
    password_hash = generate_password_hash(
        SEEDED_PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"]
    )

    def user_rows() -> Iterator[tuple]:
        for n in range(first_id, first_id + users):
            joined = now - timedelta(days=rng.uniform(1, 400))
            yield (f"user{n}", f"user{n}@example.com", password_hash, None, joined, joined,
                   joined, joined)

    copy_rows(User.__table__, ("username", "email", "password_hash", "about_me", "last_seen",
                               "email_confirmed_at", "created_at", "updated_at"), user_rows(),
              lambda n: progress("users", n))
    new_ids = db.session.scalars(
        sa.select(User.id).where(User.id >= first_id).order_by(User.id)
    ).all()
    authors = new_ids or db.session.scalars(sa.select(User.id).order_by(User.id)).all()
    if not authors:
        raise ValueError("There are no users to write the posts; add some with --users.")
    author_rank = {author: rank for rank, author in enumerate(authors)}
    pick_popular = _skewed_picker(authors, rng)

    def follow_rows() -> Iterator[tuple]:
        wanted = min(follows_per_user, len(new_ids) - 1)
        for follower in new_ids:
            chosen: set[int] = set()
            # Popular accounts come up again and again; draw until enough are distinct.
            for _ in range(wanted * 50):
                if len(chosen) == wanted:
                    break
                followed = pick_popular()
                if followed != follower:
                    chosen.add(followed)
            for followed in chosen:
                yield (follower, followed)

    follow_count = copy_rows(followers, ("follower_id", "followed_id"), follow_rows(),
                             lambda n: progress("follows", n))

    category_ids = _ensure_named(Category, BULK_CATEGORIES, slug=True)
    year = timedelta(days=365).total_seconds()
    # Per new post, in insertion order: seconds before ``now`` it was published. And the
    # posts that get comments and likes, (author's popularity rank, row number), and the
    # tags of each article, by row number.
    ages = array("d")
    engaged: list[tuple[int, int]] = []
    articles: list[int] = []
    article_tags: dict[int, list[str]] = {}

    def post_rows() -> Iterator[tuple]:
        for row in range(posts_count):
            age = rng.random() * year
            created = now - timedelta(seconds=age)
            ages.append(age)
            author = pick_popular()
            if rng.random() < articles_share:
                title, body = _article(rng)
                html = render_article(body)
                category = rng.choice(category_ids) if rng.random() < 0.7 else None
                if rng.random() < 0.6:
                    article_tags[row] = sorted({_pick(BULK_TAGS, rng) for _ in range(
                        rng.randint(1, 4))})
                articles.append(row)
                engaged.append((author_rank[author], row))
                yield (title, slugify(title), body, html, excerpt(html, EXCERPT_LENGTH),
                       author, category, created, created, created)
            else:
                body = _sentence(rng)
                if rng.random() < 0.1:
                    engaged.append((author_rank[author], row))
                yield (None, None, body, render_status(body), None, author, None, created,
                       created, created)

    last_post_id = db.session.scalar(sa.select(sa.func.max(Post.id))) or 0
    post_count = copy_rows(Post.__table__, ("title", "slug", "body", "body_html", "excerpt",
                                            "user_id", "category_id", "published_at",
                                            "created_at", "updated_at"),
                           post_rows(), lambda n: progress("posts", n))
    # COPY and executemany number the rows in the order they were sent.
    post_ids = db.session.scalars(
        sa.select(Post.id).where(Post.id > last_post_id).order_by(Post.id)
    ).all()

    tag_names = sorted({name for names in article_tags.values() for name in names})
    tag_id = dict(zip(tag_names, _ensure_named(Tag, tag_names), strict=True))
    copy_rows(post_tags, ("post_id", "tag_id"),
              ((post_ids[row], tag_id[name]) for row, names in article_tags.items()
               for name in names),
              lambda n: progress("tags", n))

    # Popular authors' posts first, so the skewed picker favours them.
    engaged.sort()
    pick_engaged = _skewed_picker([row for _, row in engaged], rng, exponent=0.7) \
        if engaged else None

    def reaction(row: int) -> tuple[int, int, datetime]:
        """A random reader's reaction to the post at ``row``, some time after it appeared."""
        age = ages[row] * rng.random()
        return post_ids[row], rng.choice(authors), now - timedelta(seconds=age)

    def comment_rows() -> Iterator[tuple]:
        for _ in range(round(post_count * comments_per_post) if pick_engaged else 0):
            post_id, user_id, created = reaction(pick_engaged())
            body = _sentence(rng)
            yield (body, render_comment(body), post_id, user_id, created, created)

    comment_count = copy_rows(Comment.__table__, ("body", "body_html", "post_id", "user_id",
                                                  "created_at", "updated_at"),
                              comment_rows(), lambda n: progress("comments", n))

    def like_rows() -> Iterator[tuple]:
        liked: set[tuple[int, int]] = set()
        for _ in range(round(post_count * likes_per_post) if pick_engaged else 0):
            post_id, user_id, created = reaction(pick_engaged())
            if (user_id, post_id) not in liked:  # one like per reader and post
                liked.add((user_id, post_id))
                yield (user_id, post_id, created)

    like_count = copy_rows(likes_table, ("user_id", "post_id", "created_at"), like_rows(),
                           lambda n: progress("likes", n))
    _recount(last_post_id)
    db.session.commit()
    return BulkResult(len(new_ids), follow_count, post_count, len(articles), comment_count,
                      like_count)


def _recount(after_post_id: int) -> None:
    """Set the stored comment and like counts of the new posts, and every user's post
    and follow counts, one statement each (``microblog.services.counts`` does the same for a few
    rows at a time, for the services)."""
    for column, table in (("comment_count", "comments"), ("like_count", "likes")):
        db.session.execute(sa.text(
            f"UPDATE posts SET {column} = counted.n FROM ("
            f"SELECT post_id, count(*) AS n FROM {table} WHERE post_id > :after "
            "GROUP BY post_id) AS counted WHERE posts.id = counted.post_id"
        ), {"after": after_post_id})
    for column, side in (("follower_count", "followed_id"), ("following_count", "follower_id")):
        db.session.execute(sa.text(
            f"UPDATE users SET {column} = counted.n FROM ("
            f"SELECT {side} AS user_id, count(*) AS n FROM followers GROUP BY {side}) "
            "AS counted WHERE users.id = counted.user_id"
        ))
    db.session.execute(sa.text(
        "UPDATE users SET post_count = counted.n FROM ("
        "SELECT user_id, count(*) AS n FROM posts WHERE published_at IS NOT NULL "
        "GROUP BY user_id) AS counted WHERE users.id = counted.user_id"
    ))


def _ensure_named(model: type[Category] | type[Tag], names: list[str], *,
                  slug: bool = False) -> list[int]:
    """The ids of the rows of ``model`` called ``names``, creating the missing ones."""
    found = dict(db.session.execute(sa.select(model.name, model.id).where(
        model.name.in_(names))).all())
    for name in names:
        if name not in found:
            row = model(name=name, slug=slugify(name)) if slug else model(name=name)
            db.session.add(row)
            db.session.flush()
            found[name] = row.id
    return [found[name] for name in names]


def _pick(names: tuple[str, ...] | list[str], rng: random.Random) -> str:
    """A name from ``names``, the first ones far more often."""
    return rng.choices(names, cum_weights=_zipf_weights(len(names)))[0]


def _article(rng: random.Random) -> tuple[str, str]:
    """A title and a Markdown body of a few paragraphs, sometimes with a heading and a list."""
    title = _sentence(rng, 3, 8).rstrip(".")
    paragraphs = [" ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
                  for _ in range(rng.randint(3, 6))]
    if rng.random() < 0.5:
        paragraphs.insert(1, "## " + _sentence(rng, 2, 5).rstrip("."))
    if rng.random() < 0.3:
        paragraphs.insert(-1, "\n".join(f"- {_sentence(rng, 2, 8)}" for _ in range(3)))
    return title, "\n\n".join(paragraphs)


def copy_rows(table: sa.Table, columns: tuple[str, ...], rows: Iterable[tuple],
              progress: Callable[[int], None]) -> int:
    """Insert many rows fast: ``COPY`` on PostgreSQL, batched executemany elsewhere."""
    connection = db.session.connection()
    total = 0
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        names = ", ".join(columns)
        with raw.cursor() as cursor, cursor.copy(
            f"COPY {table.name} ({names}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
                total += 1
                if total % BATCH_SIZE == 0:
                    progress(total)
    else:
        statement = sa.insert(table)
        iterator = iter(rows)
        while batch := list(itertools.islice(iterator, BATCH_SIZE)):
            connection.execute(statement, [dict(zip(columns, row, strict=True)) for row in batch])
            total += len(batch)
            progress(total)
    progress(total)
    return total


def _zipf_weights(count: int, exponent: float = 0.9) -> list[float]:
    """Cumulative weights of ``count`` ranks, the n-th about 1/n**exponent as likely as the
    first."""
    return list(itertools.accumulate(1 / (rank + 1) ** exponent for rank in range(count)))


def _skewed_picker(ids: list[int], rng: random.Random,
                   exponent: float = 0.9) -> Callable[[], int]:
    """A function returning an id, the first ids far more often (a Zipf-like curve)."""
    cumulative = _zipf_weights(len(ids), exponent)
    total = cumulative[-1]
    last = len(ids) - 1
    return lambda: ids[min(bisect.bisect(cumulative, rng.random() * total), last)]


@functools.cache
def _vocabulary() -> tuple[tuple[str, ...], list[float]]:
    """WORDS, then ``words.txt``: about a thousand words, with their Zipf weights.

    With a few dozen equally likely words every word would be in a third of the
    posts, and every search would match a third of the table; real text has a
    few very common words and a long tail of rare ones.
    """
    text = (Path(__file__).parent / "words.txt").read_text(encoding="utf-8")
    listed = [word for line in text.splitlines() if not line.startswith("#")
              for word in line.split()]
    words = tuple(dict.fromkeys([*WORDS, *listed]))
    return words, _zipf_weights(len(words))


def _sentence(rng: random.Random, shortest: int = 4, longest: int = 30) -> str:
    words, cumulative = _vocabulary()
    chosen = rng.choices(words, cum_weights=cumulative, k=rng.randint(shortest, longest))
    return " ".join(chosen).capitalize() + "."
