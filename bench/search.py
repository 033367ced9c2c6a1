"""Search at scale: how long each search call takes at the database, with a million posts.

    .venv/bin/python -m bench.search                                   # PostgreSQL
    .venv/bin/python -m bench.search --database-url sqlite:///bench/data/search.db

Creates the database if needed, migrates it, and seeds it through
``microblog.seed.bulk_seed`` only when it holds fewer posts than ``--posts``
(seeding a million takes minutes; a data set from an earlier run is reused).
Then it times the search backend's own calls (the SQL and the fetch, not the
service's ORM loading or the page's rendering) for a set of named queries, each
after one untimed run, so every figure is with warm caches. It prints a table
and writes it, with the machine and the query plans of the typical and the common query, to
``bench/results/search-<backend>.json``. See bench/README.md for the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

from microblog import create_app
from microblog.extensions import db
from microblog.models.post import Post
from microblog.models.user import User
from microblog.search import backend
from microblog.search.backend import Hits, SearchBackend
from microblog.search.database import MAX_RANKED
from microblog.search.query import SearchQuery, parse
from microblog.seed import bulk_seed

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/microblog_bench"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
PER_PAGE = 25  # the search page's POSTS_PER_PAGE
FOLLOWS_PER_USER = 20  # search never reads follows; fewer make seeding quicker
# Production settings, so the bench runs what a server runs; the key only has to be long.
OVERRIDES = {"SECRET_KEY": "bench-search-" * 4, "LOG_TO_STDOUT": True, "LOG_LEVEL": "WARNING"}


@dataclass(frozen=True)
class Scenario:
    name: str
    text: str  # as typed in the search box
    page: int = 1


# Words from microblog/seed/words.txt. Their rank there sets how many posts hold them.
SCENARIOS = [
    Scenario("typical", "pizza recipe"),  # ranks 262 and 276: ~1% of posts each
    Scenario("typical 2", "mountain hike"),  # ranks 19 and 453
    Scenario("common word", "flask"),  # rank 1: most posts
    Scenario("rare word", "spreadsheet"),  # one of the last ranks
    Scenario("phrase", '"coffee morning"'),  # ranks 4 and 5, next to each other
    Scenario("exclusion", "garden -river"),
    Scenario("prefix while typing", "data"),  # data, database
    Scenario("common word, page 10", "flask", page=10),
    Scenario("username prefix", "user12"),  # people: user12, user120…, user1200…
]
TYPICAL, COMMON = SCENARIOS[0], SCENARIOS[2]


@dataclass(frozen=True)
class Timing:
    scenario: str
    query: str
    call: str
    matches: str
    p50_ms: float
    p95_ms: float
    max_ms: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="PostgreSQL (default: %(default)s) or sqlite:///path")
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each call")
    args = parser.parse_args()

    url = sa.make_url(args.database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        # Flask-SQLAlchemy would read a relative path from instance/; a shell user means here.
        url = url.set(database=str(Path(url.database).resolve()))
    create_database(url)
    app = create_app("production", {
        **OVERRIDES, "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False)})
    with app.app_context():
        flask_migrate.upgrade()
        seed(args.users, args.posts)
        search = backend()
        info = describe(url, search)
        print(f"\n{search.name}: {info['posts']:,} posts, {info['users']:,} users; "
              f"{args.repeat} timed runs per call after one warm-up run (warm cache); "
              f"load average {info['load_average'][0]} on {info['machine']['cpus']} CPUs\n")
        timings = [timing for scenario in SCENARIOS
                   for timing in measure(search, scenario, args.repeat)]
        print_table(timings)
        plans = {scenario.text: explain(parse(scenario.text)) for scenario in (TYPICAL, COMMON)}
        for text, plan in plans.items():
            print(f"\nPlan of {text!r}, posts, first page:\n{plan}")
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"search-{url.get_backend_name()}.json"
    path.write_text(json.dumps({**info, "repeat": args.repeat, "cache": "warm",
                                "timings": [asdict(timing) for timing in timings],
                                "plans": plans}, indent=2) + "\n")
    print(f"\nWritten to {path}")


def create_database(url: sa.URL) -> None:
    """An empty database to migrate: a new file's folder, or CREATE DATABASE."""
    if url.get_backend_name() == "sqlite":
        if url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        return
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": url.database})
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    engine.dispose()


def seed(users: int, posts: int, follows_per_user: int = FOLLOWS_PER_USER) -> None:
    """Top the data set up to ``users`` and ``posts``, then refresh the planner's statistics."""
    have_users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    have_posts = db.session.scalar(sa.select(sa.func.count()).select_from(Post))
    if have_posts >= posts:
        print(f"Reusing {have_posts:,} posts and {have_users:,} users.")
        return
    print(f"Seeding {max(users - have_users, 0):,} users and {posts - have_posts:,} posts "
          "(minutes; progress every 100,000 rows)", flush=True)
    started = time.monotonic()

    def progress(stage: str, count: int) -> None:
        if count % 100_000 == 0 and count:
            print(f"  {stage}: {count:,} ({time.monotonic() - started:.0f}s)", flush=True)

    bulk_seed(max(users - have_users, 0), posts - have_posts, follows_per_user,
              progress=progress)
    print(f"Seeded in {time.monotonic() - started:.0f}s", flush=True)
    refresh_statistics()


def refresh_statistics() -> None:
    """What autovacuum (PostgreSQL) or `flask db upgrade`'s users would do next anyway after
    many rows changed: statistics for the planner, and on PostgreSQL a visibility map and a
    merged GIN list."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def measure(search: SearchBackend, scenario: Scenario, repeat: int) -> list[Timing]:
    """Time each call the search page (and its tabs' counts) makes for ``scenario``."""
    query = parse(scenario.text)
    offset = (scenario.page - 1) * PER_PAGE
    calls: dict[str, Callable[[], Hits]] = {
        f"posts page {scenario.page}": lambda: search.posts(query, offset, PER_PAGE),
    }
    if scenario.page == 1:
        calls.update({
            "posts count": lambda: search.posts(query, 0, 0),
            "people page 1": lambda: search.people(query, 0, PER_PAGE),
        })
    found = []
    for call, run in calls.items():
        hits = run()  # warm-up: pages in the cache, the plan prepared
        # "10,000+": more match than the backend ranks (microblog.search.database).
        matches = f"{hits.total:,}{'+' if hits.more else ''}"
        db.session.rollback()
        elapsed = []
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            elapsed.append((time.perf_counter() - started) * 1000)
            db.session.rollback()  # one transaction per call, as one per request
        found.append(Timing(scenario.name, scenario.text, call, matches,
                            *summarise(elapsed)))
    return found


def summarise(elapsed: list[float]) -> tuple[float, float, float]:
    """p50, p95 and max in milliseconds (p95 by the nearest-rank rule)."""
    ordered = sorted(elapsed)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return round(statistics.median(ordered), 2), round(p95, 2), round(ordered[-1], 2)


def print_table(timings: list[Timing]) -> None:
    header = f"{'query':<22} {'typed':<18} {'call':<14} {'matches':>9} " \
             f"{'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    print(header)
    print("-" * len(header))
    for t in timings:
        print(f"{t.scenario:<22} {t.query:<18} {t.call:<14} {t.matches:>9} "
              f"{t.p50_ms:>8.1f} {t.p95_ms:>8.1f} {t.max_ms:>8.1f}")


def explain(query: SearchQuery) -> str:
    """A posts query's plan: run, with buffers, on PostgreSQL; the chosen plan on
    SQLite (which cannot time a plan's steps)."""
    statements = backend()._statements("posts", query)
    parameters = {**statements.parameters, "candidates": MAX_RANKED + 1, "limit": PER_PAGE,
                  "offset": 0}
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(sa.text("EXPLAIN (ANALYZE, BUFFERS) " + statements.page),
                                  parameters).scalars()
        plan = "\n".join(rows)
    else:
        rows = db.session.execute(sa.text("EXPLAIN QUERY PLAN " + statements.page),
                                  parameters).all()
        plan = "\n".join(f"{row[0]:>3} {row[1]:>3}  {row[3]}" for row in rows)
    db.session.rollback()
    return plan


def describe(url: sa.URL, search: SearchBackend) -> dict:
    """The machine, the database and the data set, for the results file."""
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    memory_kb = next((int(line.split()[1]) for line in meminfo.splitlines()
                      if line.startswith("MemTotal:")), 0)
    if url.get_backend_name() == "postgresql":
        database = db.session.scalar(sa.text("SELECT version()"))
    else:
        database = f"SQLite {sqlite3.sqlite_version}"
    return {
        "backend": search.name,
        "database": database,
        "machine": {"cpus": os.cpu_count(), "memory_gib": round(memory_kb / 1024**2, 1),
                    "system": platform.platform(), "python": platform.python_version()},
        # Other work on the machine while measuring (1, 5 and 15 minute averages).
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "posts": db.session.scalar(sa.select(sa.func.count()).select_from(Post)),
        "users": db.session.scalar(sa.select(sa.func.count()).select_from(User)),
    }


if __name__ == "__main__":
    main()
