"""The load benchmark: the app under gunicorn, driven by wrk, page by page (``make bench``).

    .venv/bin/python -m bench.run                         # 10k, 100k, 1M posts, then SQLite
    BENCH_POSTS=100000 .venv/bin/python -m bench.run      # one size

For each data size it seeds a PostgreSQL database (reused when it already holds
enough posts), starts the app as production runs it (gunicorn, 2 workers,
Redis), logs in a reader who follows 50 accounts and a writer nobody follows,
and for each scenario runs wrk at fixed concurrency, measuring requests/s, p50
and p99 latency, SQL statements per request (``X-Query-Count``, read from one
request after the load, in the steady state) and the workers' peak memory.
The scenarios run in rounds (``BENCH_REPEATS``, 3 by default), each round every
scenario once, and each figure reported is the median of the rounds: on a
shared machine one run of one page can be 30% off, and a median of interleaved
rounds lets a slow minute spoil one sample instead of one page. Each round
starts with ``/health`` (the ceiling of the app's stack in this run, which every
figure is also given as a fraction of) and ``bench/hello.py`` (Flask alone,
which the targets are scaled by), so both are measured near the pages they
judge. Results go to
``bench/results/latest.json`` (and a dated copy) and a chart of p99 and
requests/s against data size to ``latest.svg``. See bench/README.md for what
each figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import html
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from alembic.migration import MigrationContext
from flask import Flask, current_app

from bench.chart import write_chart
from bench.inbox import seed_inbox
from bench.search import create_database, refresh_statistics, seed
from bench.targets import print_verdicts, verdicts
from microblog import create_app
from microblog.extensions import db
from microblog.models.category import Category
from microblog.models.follow import followers
from microblog.models.post import Post
from microblog.models.tag import Tag, post_tags
from microblog.models.user import User
from microblog.seed import SEEDED_PASSWORD
from microblog.services.counts import recount_follows

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = Path(__file__).resolve().parent / "wrk"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/microblog_bench_{posts}"
DEFAULT_SQLITE_URL = "sqlite:///bench/data/bench-{posts}.db"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
# A database number of its own, so the benchmark's keys are easy to tell apart.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
FOLLOWS_PER_USER = 50
WORKERS = 2
WRITE_CONNECTIONS = 2  # the write path's load, beside the home timeline's reads
# Production settings, so the bench runs what a server runs; the key only has to be long.
SECRET_KEY = "bench-run-not-a-secret-" * 3
USER_AGENT = "microblog-bench"  # sessions are bound to it (Flask-Login "strong" protection)
# A word in about 2% of posts: a full first page of results at every size (180 matches
# at 10k posts, ~18,000 at 1M, past the ranking bound). "pizza recipe", used before,
# matched 10 posts at 10k and 1,440 at 1M: the smaller size showed a shorter page.
SEARCH_TEXT = "pizza"
STATUS_TEXT = "Benchmarking the write path, one status at a time."
FOLLOW_POOL_SIZE = 200
FLASK_ALONE = "bench.hello:app"


@dataclass
class Settings:
    sizes: list[int]
    users: int
    seconds: int
    concurrency: int
    repeats: int
    database_url: str
    sqlite_url: str | None
    sqlite_posts: int
    redis_url: str
    results_dir: Path
    scenarios: list[str] = field(default_factory=list)  # only these; empty: every one


@dataclass
class Scenario:
    name: str
    path: str
    method: str = "GET"
    script: str | None = None  # bench/wrk/<script>.lua, for requests with a body
    env: dict[str, str] = field(default_factory=dict)
    cookie: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # sent with every request
    expect: int = 200
    lang: str | None = None  # the page must say <html lang="…">: the language was honoured
    writes: bool = False  # run beside a home timeline read load
    notes: dict[str, object] = field(default_factory=dict)  # copied into its results


def settings_from(argv: list[str] | None = None) -> Settings:
    """Command-line options, with the BENCH_* environment variables as defaults."""
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=int(env("BENCH_POSTS") or 0) or None,
                        help="one data size (BENCH_POSTS); default: the --sizes curve")
    parser.add_argument("--sizes", default=env("BENCH_SIZES", ",".join(map(str, DEFAULT_SIZES))),
                        help="data sizes for the scaling curve (BENCH_SIZES)")
    parser.add_argument("--users", type=int, default=int(env("BENCH_USERS", "10000")))
    parser.add_argument("--seconds", type=int, default=int(env("BENCH_SECONDS", "10")),
                        help="of load per scenario and round (BENCH_SECONDS)")
    parser.add_argument("--concurrency", type=int, default=int(env("BENCH_CONCURRENCY", "16")),
                        help="open connections (BENCH_CONCURRENCY)")
    parser.add_argument("--repeats", type=int, default=int(env("BENCH_REPEATS", "3")),
                        help="rounds of every scenario; the median is reported (BENCH_REPEATS)")
    parser.add_argument("--database-url", default=env("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
                        help="PostgreSQL; {posts} is replaced by the data size")
    parser.add_argument("--sqlite-url", default=env("BENCH_SQLITE_URL", DEFAULT_SQLITE_URL),
                        help="the same scenarios on SQLite ('' or 'none': skip)")
    parser.add_argument("--sqlite-posts", type=int,
                        default=int(env("BENCH_SQLITE_POSTS", "100000")))
    parser.add_argument("--redis-url", default=env("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--results-dir", type=Path,
                        default=Path(env("BENCH_RESULTS_DIR", str(RESULTS_DIR))))
    parser.add_argument("--scenarios", default=env("BENCH_SCENARIOS", ""),
                        help="only these scenarios, comma-separated (BENCH_SCENARIOS; "
                             f"default: all of {', '.join(SCENARIOS)})")
    args = parser.parse_args(argv)
    only = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    if unknown := [name for name in only if name not in SCENARIOS]:
        parser.error(f"no such scenario: {', '.join(unknown)} (there are {', '.join(SCENARIOS)})")
    sizes = [args.posts] if args.posts else sorted(int(size) for size in args.sizes.split(","))
    sqlite_url = None if args.sqlite_url.lower() in ("", "none", "0") else args.sqlite_url
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return Settings(sizes, args.users, args.seconds, args.concurrency, args.repeats,
                    args.database_url, sqlite_url, args.sqlite_posts, args.redis_url,
                    args.results_dir, only)


def main(argv: list[str] | None = None) -> dict:
    settings = settings_from(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    runs = []
    sqlite = None
    # Flask alone is served for the whole run, idle between its measurements.
    with Server({}, DATA_DIR / "logs" / "hello", app=FLASK_ALONE) as flask_alone:
        for posts in settings.sizes:
            url = settings.database_url.format(posts=posts)
            runs.append(benchmark(url, posts, settings, flask_alone))
        if settings.sqlite_url:
            sqlite = benchmark(settings.sqlite_url.format(posts=settings.sqlite_posts),
                               settings.sqlite_posts, settings, flask_alone)
    report = {**runs[-1], "sizes": runs,
              **({"sqlite": sqlite} if sqlite else {}),
              "settings": {"users": settings.users, "seconds": settings.seconds,
                           "concurrency": settings.concurrency, "repeats": settings.repeats,
                           "workers": WORKERS},
              "machine": machine()}
    report["targets"] = verdicts(report)
    print_verdicts(report["targets"])
    write_results(report, settings.results_dir)
    return report


def benchmark(url_text: str, posts: int, settings: Settings, flask_alone: Server) -> dict:
    """Seed (or reuse) one database, serve it, and run every scenario against it."""
    url = database_url(url_text)
    print(f"\n== {url.get_backend_name()} at {posts:,} posts: "
          f"{url.render_as_string(hide_password=True)}", flush=True)
    app = seeded_app(url, settings.users, posts)
    with app.app_context():
        cast = choose_cast()
        before = db.session.scalar(sa.select(sa.func.max(Post.id)))
        have_posts = db.session.scalar(sa.select(sa.func.count()).select_from(Post))
        db.engine.dispose()
    log_dir = DATA_DIR / "logs" / f"{url.get_backend_name()}-{posts}"
    try:
        with fresh_cache(settings.redis_url) as prefix, \
                Server(app_env(url, settings.redis_url, prefix, log_dir), log_dir) as server:
            result = run_scenarios(server, flask_alone, cast, settings)
    finally:
        with app.app_context():
            undo_writes(cast, before)
            db.engine.dispose()
    result = {"backend": url.get_backend_name(), "posts": have_posts, **result}
    print_table(result)
    return result


def seeded_app(url: sa.URL, users: int, posts: int) -> Flask:
    """The app on ``url``'s database, created, migrated and seeded first (or reused when
    it already holds ``posts`` posts)."""
    create_database(url)
    app = create_app("production", {
        "SECRET_KEY": SECRET_KEY, "LOG_TO_STDOUT": True, "LOG_LEVEL": "WARNING",
        "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False)})
    with app.app_context():
        before = revision()
        flask_migrate.upgrade()
        if revision() != before and before is not None:
            # A migration may have rewritten a table of the data set reused below (0007
            # fills a column of post_tags): the planner should not wait for autovacuum.
            refresh_statistics()
        seed(users, posts, FOLLOWS_PER_USER)
        db.engine.dispose()
    return app


def revision() -> str | None:
    """The database's migration revision (None before the first)."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def app_env(url: sa.URL, redis_url: str, cache_prefix: str, log_dir: Path) -> dict[str, str]:
    """The microblog's settings for the benchmark: production, as a server runs it."""
    return {"MICROBLOG_ENV": "production", "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "REDIS_URL": redis_url, "CACHE_KEY_PREFIX": cache_prefix,
            "LOG_TO_STDOUT": "false", "LOG_DIR": str(log_dir),
            "SQL_QUERY_COUNT_HEADER": "true"}


def database_url(text: str) -> sa.URL:
    url = sa.make_url(text)
    if url.get_backend_name() == "sqlite" and url.database:
        # A shell user means a path from where they are, not from instance/.
        url = url.set(database=str(Path(url.database).resolve()))
    return url


@dataclass(frozen=True)
class Cast:
    """Who the scenarios act as, and which pages they read."""

    reader: str  # follows FOLLOWS_PER_USER accounts: the home timeline's reader
    writer: str  # the fewest followers (none at scale), so its posts change few timelines
    prolific: str  # one of the accounts with the most posts
    popular: str  # the account with the most followers
    post_path: str  # the article with the most comments
    post_comments: int  # how many of them its first page shows
    follow_pool: list[str]
    tag: str  # the tag on the most published posts
    category: str  # the slug of the category with the most published posts
    conversation: int  # the reader's longest conversation (bench/inbox.py)


def choose_cast() -> Cast:
    def one(query: sa.Select) -> object:
        return db.session.scalar(query.limit(1))

    follow_count = sa.select(followers.c.follower_id, sa.func.count().label("n")) \
        .group_by(followers.c.follower_id).subquery()
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    # Following 50 (as every bulk account does), from the middle of the list of accounts.
    reader = one(sa.select(User.username).join(follow_count, follow_count.c.follower_id == User.id)
                 .order_by(sa.func.abs(follow_count.c.n - FOLLOWS_PER_USER),
                           sa.func.abs(User.id - users // 2)))
    reader_id = db.session.scalar(sa.select(User.id).where(User.username == reader))
    follower_count = sa.select(sa.func.count()).select_from(followers) \
        .where(followers.c.followed_id == User.id).scalar_subquery()
    read_by_reader = sa.select(followers.c.followed_id).where(
        followers.c.follower_id == reader_id)
    writer_id = one(sa.select(User.id).where(User.id != reader_id,
                                             User.id.not_in(read_by_reader))
                    .order_by(follower_count, User.id.desc()))
    writer = db.session.get(User, writer_id).username if writer_id else None
    followed_by_writer = sa.select(followers.c.followed_id).where(
        followers.c.follower_id == writer_id)
    post_counts = sa.select(Post.user_id, sa.func.count().label("n")).group_by(Post.user_id) \
        .order_by(sa.desc("n")).limit(10).subquery()
    prolific_id = one(sa.select(post_counts.c.user_id).order_by(post_counts.c.n))
    popular = one(sa.select(User.username).join(followers, followers.c.followed_id == User.id)
                  .group_by(User.id, User.username).order_by(sa.func.count().desc()))
    busiest = sa.select(Post.id, Post.slug, Post.comment_count) \
        .where(Post.published_at.is_not(None)).order_by(Post.comment_count.desc(), Post.id)
    post = db.session.execute(busiest.where(Post.title.is_not(None)).limit(1)).first() \
        or db.session.execute(busiest.limit(1)).first()
    post_path = f"/post/{post.id}/{post.slug}" if post.slug else f"/post/{post.id}"
    post_comments = min(post.comment_count, current_app.config["COMMENTS_PER_PAGE"])
    pool = list(db.session.scalars(
        sa.select(User.username).where(User.id != writer_id,
                                       User.id.not_in(followed_by_writer))
        .order_by(User.id.desc()).limit(FOLLOW_POOL_SIZE)))
    if not (reader and writer and pool):
        raise SystemExit("The data set is too small for the scenarios: seed more users.")
    published = Post.published_at.is_not(None)
    tag = one(sa.select(Tag.name).join(post_tags, post_tags.c.tag_id == Tag.id)
              .join(Post, Post.id == post_tags.c.post_id).where(published)
              .group_by(Tag.id, Tag.name).order_by(sa.func.count().desc(), Tag.name))
    category = one(sa.select(Category.slug).join(Post, Post.category_id == Category.id)
                   .where(published).group_by(Category.id, Category.slug)
                   .order_by(sa.func.count().desc(), Category.slug))
    if not (tag and category):
        raise SystemExit("The data set has no tagged or no filed article: seed more posts.")
    return Cast(reader, writer, db.session.get(User, prolific_id).username, popular, post_path,
                post_comments, pool, tag, category, seed_inbox(reader))


def undo_writes(cast: Cast, last_post_id: int) -> None:
    """Delete what the write scenarios added, so the next run reads the same data set.

    A follow the scenario made and did not undo had raised both accounts' stored
    counts: they are counted again from the rows that remain."""
    writer = db.session.scalar(sa.select(User.id).where(User.username == cast.writer))
    db.session.execute(sa.delete(Post).where(Post.user_id == writer, Post.id > last_post_id))
    pool = list(db.session.scalars(sa.select(User.id).where(User.username.in_(cast.follow_pool))))
    db.session.execute(sa.delete(followers).where(followers.c.follower_id == writer,
                                                  followers.c.followed_id.in_(pool)))
    recount_follows([writer, *pool])
    db.session.commit()


@contextlib.contextmanager
def fresh_cache(url: str) -> Iterator[str]:
    """A cache key prefix no earlier run used (a cache filled from another data set would
    answer with posts this one does not have); its keys are deleted afterwards. Other
    users of the Redis database are left alone."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        raise SystemExit(f"Redis at {url} does not answer ({error}); start it first.") from None
    prefix = f"microblog:bench:{uuid.uuid4().hex[:12]}:"
    try:
        yield prefix
    finally:
        for key in client.scan_iter(match=prefix + "*", count=1000):
            client.delete(key)
        client.close()


class Server:
    """gunicorn serving ``app`` (the microblog in production config, unless told
    otherwise) on a free loopback port."""

    def __init__(self, env: dict[str, str], log_dir: Path,
                 app: str = "microblog:create_app()") -> None:
        self.env, self.log_dir, self.app = env, log_dir, app
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(
            [str(gunicorn), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{self.port}",
             "--error-logfile", str(self.log_dir / "gunicorn.log"), self.app],
            env={**os.environ, **self.env}, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped; see {self.log_dir / 'gunicorn.log'}")
            try:
                if request(self.base + "/health").status == 200 and len(self.workers()) == WORKERS:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.process.terminate()
        raise SystemExit(f"gunicorn did not answer in 60s; see {self.log_dir}")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- HTTP, as a browser would: a session cookie and the form's CSRF token -------------

@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str


def request(url: str, method: str = "GET", cookie: str = "",
            form: dict[str, str] | None = None,
            extra_headers: dict[str, str] | None = None) -> Response:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {}),
               **(extra_headers or {})}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Response(response.status, response.headers,
                        response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|'
                        r'<meta name="csrf-token" content="([^"]+)"')
NEXT_LINK = re.compile(r'<a [^>]*href="([^"]+)"[^>]*rel="next"')


def csrf_token(page: str) -> str:
    match = CSRF_FIELD.search(page)
    if not match:
        raise SystemExit("No CSRF token on the page.")
    return html.unescape(match.group(1) or match.group(2))


def cookies(response: Response, jar: dict[str, str]) -> str:
    """Keep the response's cookies (by hand: production marks them Secure, for HTTPS, and
    urllib's cookie jar would not send them back over plain HTTP)."""
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        jar[name.strip()] = value.strip()
    return "; ".join(f"{name}={value}" for name, value in jar.items())


@dataclass(frozen=True)
class Login:
    cookie: str
    csrf: str


def log_in(base: str, username: str) -> Login:
    jar: dict[str, str] = {}
    page = request(base + "/auth/login")
    cookie = cookies(page, jar)
    answer = request(base + "/auth/login", "POST", cookie, {
        "username": username, "password": SEEDED_PASSWORD, "csrf_token": csrf_token(page.body)})
    cookie = cookies(answer, jar)
    if answer.status != 302:
        raise SystemExit(f"Could not log in as {username}: {answer.status}")
    home = request(base + "/index", cookie=cookie)
    if home.status != 200:
        raise SystemExit(f"Logged in as {username}, but /index answers {home.status}")
    # Signing in dropped the CSRF secret; the page made a new one and sent it in the cookie.
    return Login(cookies(home, jar), csrf_token(home.body))


def page_50(base: str, login: Login) -> str:
    """The URL of home page 50 the way a reader reaches it: following "Older posts" links
    (a cursor, when the pager carries one), or ``?page=50`` without such links."""
    path = "/index"
    for _ in range(49):
        found = NEXT_LINK.search(request(base + path, cookie=login.cookie).body)
        if not found or html.unescape(found.group(1)) in ("#", ""):
            return "/index?page=50" if path == "/index" else path
        path = html.unescape(found.group(1))
    return path


# -- Scenarios ------------------------------------------------------------------

# The pages the reader reads, but home page 50 (found by following the pager's links).
READ_PAGES = ("home", "explore", "profile", "profile_popular", "post", "tag", "category",
              "search", "messages", "conversation", "notifications")
# Every scenario, in the order a round runs them. home-es is home read in Spanish (the
# reader's browser asks for it): the same page through the translation catalogue.
SCENARIOS = ("home", "home-es", "home_page50", *READ_PAGES[1:], "write_post", "follow")
SPANISH = {"Accept-Language": "es-ES,es;q=0.9"}
# Pages read in another language: the page they are, and the headers that ask for it.
TRANSLATED = {"home-es": ("home", SPANISH)}


def read_paths(cast: Cast) -> dict[str, str]:
    """The path of each of :data:`READ_PAGES`."""
    return {"home": "/index", "explore": "/explore", "profile": f"/user/{cast.prolific}",
            "profile_popular": f"/user/{cast.popular}", "post": cast.post_path,
            "tag": f"/tag/{urllib.parse.quote(cast.tag)}",
            "category": f"/category/{urllib.parse.quote(cast.category)}",
            "search": f"/search?q={urllib.parse.quote_plus(SEARCH_TEXT)}",
            "messages": "/messages", "conversation": f"/messages/{cast.conversation}",
            "notifications": "/notifications"}


def scenarios(server: Server, cast: Cast) -> list[Scenario]:
    reader, writer = log_in(server.base, cast.reader), log_in(server.base, cast.writer)
    paths = read_paths(cast)
    return [
        Scenario("home", paths["home"], cookie=reader.cookie, lang="en"),
        Scenario("home-es", paths[TRANSLATED["home-es"][0]], cookie=reader.cookie,
                 headers=TRANSLATED["home-es"][1], lang="es"),
        Scenario("home_page50", page_50(server.base, reader), cookie=reader.cookie),
        Scenario("explore", paths["explore"], cookie=reader.cookie),
        Scenario("profile", paths["profile"], cookie=reader.cookie),
        Scenario("profile_popular", paths["profile_popular"], cookie=reader.cookie),
        Scenario("post", paths["post"], cookie=reader.cookie,
                 notes={"comments_shown": cast.post_comments}),
        Scenario("tag", paths["tag"], cookie=reader.cookie),
        Scenario("category", paths["category"], cookie=reader.cookie),
        Scenario("search", paths["search"], cookie=reader.cookie),
        Scenario("messages", paths["messages"], cookie=reader.cookie),
        Scenario("conversation", paths["conversation"], cookie=reader.cookie),
        Scenario("notifications", paths["notifications"], cookie=reader.cookie),
        Scenario("write_post", "/index", "POST", "publish", cookie=writer.cookie, expect=302,
                 writes=True, env={"BENCH_CSRF": urllib.parse.quote_plus(writer.csrf),
                                   "BENCH_STATUS": urllib.parse.quote_plus(STATUS_TEXT)}),
        Scenario("follow", f"/follow/{cast.follow_pool[0]}", "POST", "follow",
                 cookie=writer.cookie, expect=302, writes=True,
                 env={"BENCH_CSRF": urllib.parse.quote_plus(writer.csrf),
                      "BENCH_FOLLOW_POOL": ",".join(cast.follow_pool)}),
    ]


def run_scenarios(server: Server, flask_alone: Server, cast: Cast, settings: Settings) -> dict:
    """Every scenario once per round (or those ``settings.scenarios`` names), the rounds
    interleaved; the medians."""
    planned = scenarios(server, cast)
    home = planned[0]  # the reads beside the writes
    assert [scenario.name for scenario in planned] == list(SCENARIOS)
    if settings.scenarios:
        planned = [scenario for scenario in planned if scenario.name in settings.scenarios]
    samples: dict[str, list[dict]] = {"framework": [], "ceiling": [],
                                      **{scenario.name: [] for scenario in planned}}
    queries: dict[str, int] = {}
    for round_number in range(1, settings.repeats + 1):
        print(f"  round {round_number} of {settings.repeats}", flush=True)
        for name, target in (("framework", flask_alone), ("ceiling", server)):
            measured = load(target, Scenario(name, "/health"), settings.concurrency, settings)
            samples[name].append(measured)
            print(f"    {'Flask alone' if name == 'framework' else '/health'}: "
                  f"{measured['rps']:,.0f} requests/s, p99 {measured['p99_ms']} ms", flush=True)
        for scenario in planned:
            measured, count = measure(server, scenario, home, settings)
            samples[scenario.name].append(measured)
            # The most statements any round counted: a budget is judged by its worst case.
            queries[scenario.name] = max(count, queries.get(scenario.name, 0))
            print(f"    {scenario.name}: {measured['rps']:,.1f} requests/s, p99 "
                  f"{measured['p99_ms']} ms, {count} queries", flush=True)
    ceiling = median_of(samples["ceiling"])
    endpoints = {}
    for scenario in planned:
        measured = median_of(samples[scenario.name])
        measured.update(queries=queries[scenario.name], path=scenario.path, **scenario.notes,
                        of_ceiling=round(measured["rps"] / ceiling["rps"], 3)
                        if ceiling["rps"] else None)
        endpoints[scenario.name] = measured
    return {"framework": median_of(samples["framework"]), "ceiling": ceiling,
            "endpoints": endpoints}


def measure(server: Server, scenario: Scenario, home: Scenario,
            settings: Settings) -> tuple[dict, int]:
    """One scenario's load, and the statements one of its requests ran."""
    queries = query_count(server, scenario)
    if not scenario.writes:
        measured = load(server, scenario, settings.concurrency, settings)
        # Counted again in the steady state: the first request may have filled
        # the shared cache (explore's side lists) for every later one.
        return measured, query_count(server, scenario)
    # Reads of the home timeline run at the same time, as on a live site.
    reads: dict = {}
    beside = threading.Thread(target=lambda: reads.update(
        load(server, home, settings.concurrency, settings)))
    beside.start()
    measured = load(server, scenario, WRITE_CONNECTIONS, settings)
    beside.join()
    if not reads:  # wrk failed in the thread, which printed why; the medians need a figure
        raise SystemExit(f"The home timeline reads beside {scenario.name} gave no result.")
    measured["reads_beside"] = {key: reads[key] for key in ("rps", "p50_ms", "p99_ms", "errors")}
    return measured, queries


MEDIAN_FIGURES = ("rps", "p50_ms", "p99_ms")


def median_of(samples: list[dict]) -> dict:
    """One figure set from the rounds' samples: the median of each rate and latency, the
    sum of requests and errors (an error in any round stays visible), the largest memory,
    and each round's requests/s (``rounds_rps``), so the spread can be read."""
    result: dict = {key: round(statistics.median(sample[key] for sample in samples), 1)
                    for key in MEDIAN_FIGURES}
    for key in ("requests", "errors", "non_2xx_3xx"):
        result[key] = sum(sample[key] for sample in samples)
    result["rss_mb"] = max(sample["rss_mb"] for sample in samples)
    result["rounds_rps"] = [sample["rps"] for sample in samples]
    if "reads_beside" in samples[0]:
        beside = [sample["reads_beside"] for sample in samples]
        result["reads_beside"] = {
            **{key: round(statistics.median(reads[key] for reads in beside), 1)
               for key in MEDIAN_FIGURES},
            "errors": sum(reads["errors"] for reads in beside)}
    return result


def query_count(server: Server, scenario: Scenario) -> int:
    """One request with the app counting its statements; also proves the scenario works
    (a lost session would answer every request with a cheap redirect to the login page)."""
    form = None
    if scenario.method == "POST":
        csrf = urllib.parse.unquote_plus(scenario.env["BENCH_CSRF"])
        form = {"csrf_token": csrf}
        if scenario.script == "publish":
            form["post"] = f"{STATUS_TEXT} {uuid.uuid4().hex[:8]}"  # a new text, a new post
    answer = request(server.base + scenario.path, scenario.method, scenario.cookie, form,
                     scenario.headers)
    location = answer.headers.get("Location", "")
    if answer.status != scenario.expect or "/auth/login" in location:
        raise SystemExit(f"{scenario.method} {scenario.path} answered {answer.status} "
                         f"{location}, not {scenario.expect}")
    if scenario.lang and f'<html lang="{scenario.lang}">' not in answer.body:
        raise SystemExit(f"{scenario.name}: {scenario.path} was not in {scenario.lang!r}")
    if scenario.script == "follow":  # leave the pool as it was
        request(server.base + scenario.path.replace("/follow/", "/unfollow/"), "POST",
                scenario.cookie, form)
    return int(answer.headers.get("X-Query-Count", "0"))


def load(server: Server, scenario: Scenario, connections: int, settings: Settings) -> dict:
    """Run wrk against ``scenario`` while sampling the workers' memory; its figures."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if scenario.script:
            script.write((WRK_DIR / f"{scenario.script}.lua").read_text() + "\n")
        script.write((WRK_DIR / "report.lua").read_text())
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}",
               f"-d{settings.seconds}s", "--latency", "--timeout", "10s", "-s", script.name,
               "-H", f"User-Agent: {USER_AGENT}"]
    if scenario.cookie:
        command += ["-H", f"Cookie: {scenario.cookie}"]
    for name, value in scenario.headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(server.base + scenario.path)
    sampler = MemorySampler(server)
    sampler.start()
    try:
        finished = subprocess.run(command, capture_output=True, text=True,
                                  env={**os.environ, **scenario.env}, check=True)
    finally:
        sampler.stop()
        os.unlink(script.name)
    line = next((line for line in finished.stdout.splitlines()
                 if line.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result for {scenario.name}:\n{finished.stdout}"
                         f"{finished.stderr}")
    raw = json.loads(line.removeprefix("BENCH_RESULT "))
    seconds = raw["duration_us"] / 1e6
    return {
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "requests": raw["requests"],
        "errors": raw["non_2xx_3xx"] + raw["socket_errors"],
        "non_2xx_3xx": raw["non_2xx_3xx"],
        "rss_mb": sampler.peak_mb,
    }


class MemorySampler(threading.Thread):
    """The largest resident set of any gunicorn worker while a scenario runs (VmRSS,
    sampled every 100 ms: VmHWM would keep the peak of earlier scenarios)."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server, self.peak_kb, self.stopping = server, 0, threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for pid in self.server.workers():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                kb = next((int(line.split()[1]) for line in status.splitlines()
                           if line.startswith("VmRSS:")), 0)
                self.peak_kb = max(self.peak_kb, kb)
            self.stopping.wait(0.1)

    def stop(self) -> None:
        self.stopping.set()
        self.join()

    @property
    def peak_mb(self) -> float:
        return round(self.peak_kb / 1024, 1)


# -- Report -----------------------------------------------------------------------

def spread(figures: dict) -> float:
    """How far apart the rounds' requests/s were, as a share of their median."""
    rounds = figures["rounds_rps"]
    return (max(rounds) - min(rounds)) / figures["rps"] if figures["rps"] else 0.0


def print_table(result: dict) -> None:
    print(f"\n{result['backend']}, {result['posts']:,} posts "
          f"(medians of {len(result['ceiling']['rounds_rps'])} rounds)")
    header = f"{'endpoint':<16} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8} " \
             f"{'RSS MB':>7} {'of ceiling':>10} {'errors':>7} {'spread':>7}"
    print(header)
    print("-" * len(header))
    for label, e in (("Flask alone", result["framework"]), ("/health", result["ceiling"])):
        print(f"{label:<16} {e['rps']:>9,.1f} {e['p50_ms']:>8.1f} {e['p99_ms']:>8.1f} "
              f"{'':>8} {e['rss_mb']:>7.1f} {'':>10} {e['errors']:>7} {spread(e):>7.0%}")
    for name, e in result["endpoints"].items():
        print(f"{name:<16} {e['rps']:>9,.1f} {e['p50_ms']:>8.1f} {e['p99_ms']:>8.1f} "
              f"{e['queries']:>8} {e['rss_mb']:>7.1f} {e['of_ceiling']:>10.3f} "
              f"{e['errors']:>7} {spread(e):>7.0%}")
        if "reads_beside" in e:
            r = e["reads_beside"]
            print(f"{'  + home reads':<16} {r['rps']:>9,.1f} {r['p50_ms']:>8.1f} "
                  f"{r['p99_ms']:>8.1f}")
    print(flush=True)


def write_results(report: dict, results_dir: Path,
                  now: datetime.datetime | None = None) -> None:
    """``latest.json`` and a copy named after the minute the run ended, so a second run
    on the same day keeps the first one's copy."""
    results_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2) + "\n"
    (results_dir / "latest.json").write_text(text)
    stamp = (now or datetime.datetime.now()).strftime("%Y-%m-%d-%H%M")
    dated = results_dir / f"{stamp}-{report['posts']}.json"
    dated.write_text(text)
    write_chart(report, results_dir / "latest.svg")
    print(f"Written to {results_dir / 'latest.json'}, {dated.name} and latest.svg")


def machine() -> dict:
    return {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True)
            .stdout.splitlines()[0] if shutil.which("wrk") else None}


if __name__ == "__main__":
    main()
