"""The data export of a 10,000-post account: how long it takes, how much memory the worker needs.

    .venv/bin/python -m bench.export                                   # PostgreSQL
    .venv/bin/python -m bench.export --database-url sqlite:///bench/data/export.db

Creates and migrates the database, and seeds it the first time: one account, the
exporter, with ``--posts`` posts (5% Markdown articles of about 3 KB with a category
and tags, the rest statuses), 1,000 comments and 2,000 likes on other people's posts,
200 follows each way, 10 blocks and 1,000 messages, among 200 other accounts. Then it
queues the export as the settings page does (``services.exports.start_export``) and
runs a real production worker, ``flask jobs worker --burst --no-fork`` (RQ, on a queue
of its own on ``--redis-url``; in process rather than in a forked work horse, so the
worker's own peak memory is the export's), until the export and its email are done.

Reported: the task's own duration (its row's ``started_at`` to ``finished_at``), the
worker's wall time (start-up included), its peak resident memory (``ru_maxrss`` from
``wait4``) beside that of an idle worker run just before (what the app weighs before any
export), and the ZIP's size. Targets (issue 25): at most 30 s and 200 MB. Each run is written to
``bench/results/export-<backend>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import flask_migrate
import redis
import sqlalchemy as sa

from bench.search import create_database
from microblog import create_app
from microblog.extensions import db
from microblog.markdown import render_article, render_status
from microblog.models.base import utcnow
from microblog.models.block import blocks
from microblog.models.category import Category
from microblog.models.comment import Comment
from microblog.models.follow import followers
from microblog.models.like import likes
from microblog.models.message import Conversation, Message
from microblog.models.post import Post
from microblog.models.tag import Tag, post_tags
from microblog.models.task import Task
from microblog.models.user import User

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/microblog_bench_export"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
SECRET_KEY = "bench-export-not-a-secret-" * 3
EXPORTER = "exporter"
OTHERS = 200
TARGET_SECONDS, TARGET_MB = 30, 200
WORDS = (Path(__file__).resolve().parent.parent / "microblog" / "seed" / "words.txt"
         ).read_text(encoding="utf-8").split()


def sentence(rng: random.Random, words: int) -> str:
    """Words from the seed's list, so the ZIP compresses like real text, not a repeat."""
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="PostgreSQL (default: %(default)s) or sqlite:///path")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--posts", type=int, default=10_000)
    args = parser.parse_args()
    url = sa.make_url(args.database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        url = url.set(database=str(Path(url.database).resolve()))
    create_database(url)
    queue = f"microblog-bench-export-{uuid4().hex[:8]}"
    env = {**os.environ, "MICROBLOG_ENV": "production", "SECRET_KEY": SECRET_KEY,
           "DATABASE_URL": url.render_as_string(hide_password=False),
           "REDIS_URL": args.redis_url, "JOBS_QUEUE": queue, "LOG_TO_STDOUT": "false",
           "LOG_DIR": str(DATA_DIR / "logs" / "export"),
           # One folder per database: each one's cleanup deletes files no task of its own made.
           "EXPORT_DIR": str(DATA_DIR / f"exports-{url.get_backend_name()}"),
           "MAIL_OUTBOX_DIR": str(DATA_DIR / "outbox"), "CACHE_KEY_PREFIX": f"{queue}:"}
    app = create_app("production", {
        "SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
        "REDIS_URL": args.redis_url, "JOBS_QUEUE": queue, "LOG_TO_STDOUT": True,
        "LOG_LEVEL": "WARNING", "EXPORT_DIR": env["EXPORT_DIR"],
        "MAIL_OUTBOX_DIR": env["MAIL_OUTBOX_DIR"], "CACHE_KEY_PREFIX": env["CACHE_KEY_PREFIX"]})
    # In process (no work horse), so the worker's own peak is the export's.
    worker = [sys.executable, "-m", "flask", "--app", "microblog", "jobs", "worker", "--burst",
              "--no-fork"]
    with app.app_context():
        flask_migrate.upgrade()
        exporter = seed(args.posts)
    # An idle worker first (nothing queued yet): what any worker weighs, for comparison.
    idle_mb, _ = run_worker(worker, env)
    with app.app_context():
        from microblog.services import exports

        task_id = exports.start_export(exporter).id
    peak_mb, wall = run_worker(worker, env)
    _forget_queue(args.redis_url, queue)

    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.complete, f"the export did not finish: {task.state} {task.error}"
        seconds = (task.finished_at - task.started_at).total_seconds()
        size = (Path(env["EXPORT_DIR"]) / f"{task_id}.zip").stat().st_size
        counts = {name: db.session.scalar(query) for name, query in _counts(exporter_id(
            )).items()}
    report = {
        "when": utcnow().isoformat(timespec="seconds"), "backend": url.get_backend_name(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average": [round(x, 2) for x in os.getloadavg()]},
        "account": counts, "task_seconds": round(seconds, 2),
        "worker_wall_seconds": round(wall, 2), "worker_peak_mb": round(peak_mb, 1),
        "idle_worker_mb": round(idle_mb, 1),
        "zip_mb": round(size / 1e6, 2), "targets": {"seconds": TARGET_SECONDS,
                                                    "peak_mb": TARGET_MB},
    }
    print(f"\n{report['backend']}: export of {counts['posts']:,} posts, "
          f"{counts['comments']:,} comments, {counts['likes']:,} likes, "
          f"{counts['messages']:,} messages")
    print(f"  task {seconds:.2f} s (target ≤ {TARGET_SECONDS} s), worker {wall:.2f} s "
          f"with start-up; worker peak {peak_mb:.0f} MB (target ≤ {TARGET_MB} MB; an idle "
          f"worker {idle_mb:.0f} MB); "
          f"ZIP {size / 1e6:.1f} MB")
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"export-{report['backend']}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Written to {path}")


def run_worker(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a burst worker to the end: its peak resident memory (MB) and its wall time (s)."""
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)  # this process's own rusage
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"the worker exited with {process.returncode}")
    return usage.ru_maxrss / 1024, time.monotonic() - started  # ru_maxrss: KiB on Linux


def exporter_id() -> int:
    return db.session.scalar(sa.select(User.id).where(User.username == EXPORTER))


def _counts(user_id: int) -> dict[str, sa.Select]:
    def count(table, *where):
        return sa.select(sa.func.count()).select_from(table).where(*where)

    return {
        "posts": count(Post, Post.user_id == user_id),
        "comments": count(Comment, Comment.user_id == user_id),
        "likes": count(likes, likes.c.user_id == user_id),
        "messages": count(Message, sa.or_(Message.sender_id == user_id,
                                          Message.recipient_id == user_id)),
    }


def seed(posts: int) -> User:
    """The exporter and what they did, inserted in bulk the first time; reused after."""
    found = db.session.scalar(sa.select(User).where(User.username == EXPORTER))
    if found is not None:
        print(f"Reusing the seeded account {EXPORTER!r}.")
        return found
    print(f"Seeding {EXPORTER!r} with {posts:,} posts…", flush=True)
    rng = random.Random(25)
    now = utcnow()
    people = [{"username": name, "email": f"{name}@example.com", "password_hash": "x",
               "email_confirmed_at": now, "created_at": now - timedelta(days=400),
               "updated_at": now, "last_seen": now}
              for name in [EXPORTER] + [f"neighbour{n}" for n in range(OTHERS)]]
    db.session.execute(sa.insert(User), people)
    ids = dict(db.session.execute(sa.select(User.username, User.id)).all())
    me, others = ids[EXPORTER], [ids[f"neighbour{n}"] for n in range(OTHERS)]
    garden = Category(name="Garden", slug="garden")
    db.session.add(garden)
    tag_rows = [Tag(name=name) for name in ("soil", "beans", "compost", "seeds")]
    db.session.add_all(tag_rows)
    db.session.flush()
    rows = []
    for n in range(posts):
        at = now - timedelta(minutes=posts - n)
        if n % 20 == 0:  # about 3 KB of Markdown
            article_body = "\n\n".join(
                " ".join(sentence(rng, 12) for _ in range(4)) for _ in range(6))
            rows.append({"user_id": me, "title": f"Garden notes {n}", "slug": f"garden-notes-{n}",
                         "body": article_body, "body_html": render_article(article_body),
                         "excerpt": article_body[:300], "category_id": garden.id,
                         "published_at": at, "created_at": at, "updated_at": at})
        else:
            body = f"Day {n}: {sentence(rng, 25)}"
            rows.append({"user_id": me, "body": body, "body_html": render_status(body),
                         "published_at": at, "created_at": at, "updated_at": at})
    db.session.execute(sa.insert(Post), rows)
    articles = db.session.scalars(sa.select(Post.id).where(Post.user_id == me,
                                                           Post.title.is_not(None))).all()
    db.session.execute(sa.insert(post_tags), [
        {"post_id": post_id, "tag_id": tag.id} for post_id in articles
        for tag in rng.sample(tag_rows, 2)])
    theirs = []
    for other in others:
        theirs.append({"user_id": other, "body": f"Hello from {other}",
                       "body_html": f"<p>Hello from {other}</p>", "published_at": now,
                       "created_at": now, "updated_at": now})
    db.session.execute(sa.insert(Post), theirs * 10)
    their_posts = db.session.scalars(sa.select(Post.id).where(Post.user_id != me)).all()
    db.session.execute(sa.insert(Comment), [
        {"user_id": me, "post_id": rng.choice(their_posts), "body": f"Nice one {n}",
         "body_html": f"<p>Nice one {n}</p>", "created_at": now, "updated_at": now}
        for n in range(1_000)])
    db.session.execute(sa.insert(likes), [
        {"user_id": me, "post_id": post_id, "created_at": now}
        for post_id in rng.sample(their_posts, 2_000)])
    db.session.execute(sa.insert(followers), [
        {"follower_id": a, "followed_id": b} for other in others
        for a, b in ((me, other), (other, me))])
    db.session.execute(sa.insert(blocks), [
        {"blocker_id": me, "blocked_id": ids[f"neighbour{n}"], "created_at": now}
        for n in range(OTHERS - 10, OTHERS)])
    for other in others[:100]:
        low, high = sorted((me, other))
        conversation = Conversation(low_user_id=low, high_user_id=high)
        db.session.add(conversation)
        db.session.flush()
        db.session.execute(sa.insert(Message), [
            {"conversation_id": conversation.id, "sender_id": sender, "recipient_id": to,
             "body": f"Message {n}", "body_html": f"<p>Message {n}</p>", "created_at": now,
             "updated_at": now}
            for n in range(10) for sender, to in [((me, other), (other, me))[n % 2]]])
    db.session.execute(sa.update(User).where(User.id == me).values(
        follower_count=OTHERS, following_count=OTHERS))
    db.session.commit()
    return db.session.get(User, me)


def _forget_queue(redis_url: str, queue: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter(f"*{queue}*"):
            client.delete(key)
    finally:
        client.close()


if __name__ == "__main__":
    main()
