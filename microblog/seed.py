"""Sample data: a small demo set for ``make run``, and a bulk path for benchmarks.

The bulk path skips the ORM's per-object work: it builds plain rows in Python
and streams them with PostgreSQL's ``COPY`` (or batched ``executemany`` on
SQLite). Every seeded account shares one pre-computed password hash, because
hashing 10,000 passwords with scrypt would take longer than the rest combined.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from microblog.extensions import db
from microblog.markdown import render_status
from microblog.models.base import utcnow
from microblog.models.follow import followers
from microblog.models.post import Post
from microblog.models.user import User, new_session_token
from microblog.services import accounts, follows, posts

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "microblog-demo"
SEEDED_PASSWORD = "password"
BATCH_SIZE = 10_000

WORDS = (
    "flask python blog coffee morning code deploy test database query index cache "
    "friend weekend music book garden river mountain idea coffee release bug fix "
    "tutorial learn write read share follow timeline template route model session "
    "happy today tomorrow finally great small quick slow new old first last"
).split()

DEMO_PEOPLE = {
    "demo": "I run this demo. Log in as me and look around.",
    "susan": "Gardener, reader, occasional Python programmer.",
    "john": "Backend developer. Coffee first.",
    "amy": "Writing about databases and the people who love them.",
    "david": "Mountains on weekends, Flask on weekdays.",
    "lina": "Learning Flask one chapter at a time.",
}
DEMO_POSTS = [
    "Just finished chapter 8 of the Mega-Tutorial: followers work!",
    "Reminder: an index on (user_id, created_at) makes profile pages fast.",
    "Morning coffee and a green test suite. Good start.",
    "Why is every state change a POST? Because a GET can be triggered by an <img> tag.",
    "Trying the explore page to find new people to follow.",
    "Pagination without COUNT(*): fetch one row more than you show.",
    "Blueprints finally clicked for me today.",
    "Deployed to production. Nothing caught fire.",
    "Templates inherit from base.html, so the navbar lives in one place.",
    "Hello, Microblog!",
    "Finally moved my config into environment variables. No secrets in git.",
    "TIL: Jinja escapes everything by default, so <b>this</b> shows as text.",
    "Read about Alembic today. Migrations are just Python functions with an order.",
    "The garden is full of tomatoes and my timeline is full of Python.",
    "Who else is reading the Flask docs on a Sunday?",
    "A service layer means the API and the web forms share the same rules.",
    "Weekend hike, no laptop. Back on Monday.",
    "Password hashing with scrypt: slow on purpose.",
    "New here! Looking for people who write about databases.",
    "Keyset pagination is next on my reading list.",
]


def load_demo(rng: random.Random | None = None) -> bool:
    """Create a few people who follow each other and have posted. Only into an empty database.

    Goes through the services, like a real user would, so the demo data obeys
    every rule. Returns False (and changes nothing) when users already exist.
    """
    if db.session.scalar(sa.select(User.id).limit(1)) is not None:
        return False
    rng = rng or random.Random(8)
    people = []
    for username, about_me in DEMO_PEOPLE.items():
        password = DEMO_PASSWORD if username == DEMO_USERNAME else SEEDED_PASSWORD
        user = accounts.register(username, f"{username}@example.com", password,
                                 email_confirmed=True)
        accounts.update_profile(user, username, about_me)
        people.append(user)
    for user in people:
        for other in rng.sample(people, 3):
            if other is not user:
                follows.follow(user, other.username)
    now = utcnow()
    for minutes, body in enumerate(DEMO_POSTS):
        post = posts.create_post(rng.choice(people), body)
        post.created_at = now - timedelta(minutes=minutes * 181 + rng.randint(0, 60))
    db.session.commit()
    return True


@dataclass(frozen=True)
class BulkResult:
    users: int
    follows: int
    posts: int


def bulk_seed(
    users: int,
    posts_count: int,
    follows_per_user: int,
    *,
    rng: random.Random | None = None,
    progress: Callable[[str, int], None] = lambda stage, n: None,
) -> BulkResult:
    """Add ``users`` accounts, about ``follows_per_user`` follows each, and ``posts_count`` posts.

    Popularity is skewed the way real networks are: a few accounts attract
    thousands of followers and write many posts, most write a few. Posts are
    spread over the past year.
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
                   joined, joined, new_session_token())

    copy_rows(User.__table__, ("username", "email", "password_hash", "about_me", "last_seen",
                               "email_confirmed_at", "created_at", "updated_at",
                               "session_token"), user_rows(),
              lambda n: progress("users", n))
    new_ids = db.session.scalars(
        sa.select(User.id).where(User.id >= first_id).order_by(User.id)
    ).all()
    authors = new_ids or db.session.scalars(sa.select(User.id).order_by(User.id)).all()
    if not authors:
        raise ValueError("There are no users to write the posts; add some with --users.")
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

    year = timedelta(days=365).total_seconds()

    def post_rows() -> Iterator[tuple]:
        for _ in range(posts_count):
            created = now - timedelta(seconds=rng.random() * year)
            body = _sentence(rng)
            yield (body, render_status(body), pick_popular(), created, created, created)

    post_count = copy_rows(Post.__table__, ("body", "body_html", "user_id", "published_at",
                                            "created_at", "updated_at"),
                           post_rows(), lambda n: progress("posts", n))
    db.session.commit()
    return BulkResult(len(new_ids), follow_count, post_count)


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


def _skewed_picker(ids: list[int], rng: random.Random) -> Callable[[], int]:
    """A function returning an id, the first ids far more often (a Zipf-like curve)."""
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(ids))))
    total = cumulative[-1]
    last = len(ids) - 1
    return lambda: ids[min(bisect.bisect(cumulative, rng.random() * total), last)]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(4, 30))
    return " ".join(words).capitalize() + "."
