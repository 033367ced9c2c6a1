"""The real-time benchmark (``make bench-realtime``): many sockets in one post's room.

    .venv/bin/python -m bench.realtime
    BENCH_RT_CLIENTS=100 BENCH_SECONDS=5 .venv/bin/python -m bench.realtime   # smaller

It seeds (or reuses) the PostgreSQL database of ``make bench`` at ``BENCH_POSTS`` posts
(10,000 by default), and starts the production shape: gunicorn for the pages (two
workers, as ``make bench``) and ``BENCH_RT_PROCESSES`` single-worker Socket.IO processes
(``deploy/socketio.conf.py``), all on one Redis channel of this run. Then:

1. the home timeline's throughput with wrk (``BENCH_SECONDS``), no sockets open;
2. ``BENCH_RT_CLIENTS`` Socket.IO clients (python-socketio's asyncio client, WebSocket),
   spread evenly over the Socket.IO processes, each joining one post's room; the
   processes' memory before and after, per idle connection;
3. the home timeline again, with those sockets open: the ratio to (1);
4. ``BENCH_RT_COMMENTS`` comments written one after another through the comment form
   (HTTP, on the pages' gunicorn); for each, every client's delay from the moment the
   HTTP answer came back to the moment its ``comment`` event arrived (an event that
   arrived before the answer counts 0), and from the moment the POST was sent (the
   whole write path: the comment saved, committed, published, fanned out).

Targets (issue 28): p99 of those delays ≤ 250 ms with 500 clients over ≥ 2 processes;
home timeline throughput with the sockets open ≥ 90 % of without. The figures go to
``bench/results/realtime-latest.json``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import socketio
import sqlalchemy as sa

from bench.run import (
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    RESULTS_DIR,
    ROOT,
    USER_AGENT,
    Scenario,
    Server,
    Settings,
    app_env,
    choose_cast,
    database_url,
    free_port,
    fresh_cache,
    load,
    log_in,
    request,
    seeded_app,
)
from microblog.extensions import db
from microblog.models.comment import Comment
from microblog.models.post import Post
from microblog.services.counts import recount

CLIENTS = int(os.environ.get("BENCH_RT_CLIENTS", "500"))
PROCESSES = int(os.environ.get("BENCH_RT_PROCESSES", "2"))
COMMENTS = int(os.environ.get("BENCH_RT_COMMENTS", "20"))
POSTS = int(os.environ.get("BENCH_POSTS", "10000"))
USERS = int(os.environ.get("BENCH_USERS", "1000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONCURRENCY", "8"))
ROUNDS = int(os.environ.get("BENCH_REPEATS", "3"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
TARGET_P99_MS, TARGET_RATIO = 250.0, 0.90
COMMENT_ID = re.compile(r"#comment-(\d+)")


class SocketServer:
    """One Socket.IO process: gunicorn, one worker, threads (deploy/socketio.conf.py)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {**os.environ, **env, "SOCKETIO_THREADS": str(CLIENTS + 50)}

    def __enter__(self) -> SocketServer:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [str(gunicorn), "-c", "deploy/socketio.conf.py", "--bind", f"127.0.0.1:{self.port}"],
            env=self.env, cwd=ROOT, stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the Socket.IO process stopped; see {self.log}")
            try:
                if request(self.base + "/health").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the Socket.IO process did not answer; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def rss_kb(self) -> int:
        """Resident memory of the process and its worker."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        total = 0
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total


class Room:
    """The clients, in an asyncio loop of their own thread: each keeps when each comment's
    event reached it (time.monotonic, comparable with the writer's)."""

    def __init__(self, urls: list[str], post_id: int) -> None:
        self.urls, self.post_id = urls, post_id
        self.arrivals: dict[int, list[float]] = {}
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.clients: list[socketio.AsyncClient] = []

    def run(self, coroutine, timeout: float = 300):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _open(self, index: int) -> None:
        client = socketio.AsyncClient(reconnection=False)

        @client.on("comment")
        async def heard(data):
            self.arrivals.setdefault(data["id"], []).append(time.monotonic())

        await client.connect(self.urls[index % len(self.urls)], transports=["websocket"],
                             headers={"User-Agent": USER_AGENT}, wait_timeout=30)
        answer = await client.call("join_post", {"post_id": self.post_id}, timeout=30)
        if not answer.get("ok"):
            raise SystemExit(f"join_post refused: {answer}")
        self.clients.append(client)

    async def _open_all(self, count: int) -> None:
        batch = 50  # not all handshakes at once: a browser crowd arrives over time too
        for start in range(0, count, batch):
            await asyncio.gather(*(self._open(i) for i in range(start, min(count, start + batch))))

    def open(self, count: int) -> None:
        self.run(self._open_all(count))

    def heard_by_all(self, comment_id: int) -> bool:
        return len(self.arrivals.get(comment_id, ())) >= len(self.clients)

    def close(self) -> None:
        async def close_all():
            await asyncio.gather(*(client.disconnect() for client in self.clients),
                                 return_exceptions=True)
        self.run(close_all(), timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)


def write_comment(base: str, login, post_id: int, text: str) -> tuple[int, float, float]:
    """Post a comment through the form; its id, when the request was sent and when the
    HTTP answer came back."""
    sent = time.monotonic()
    answer = request(f"{base}/post/{post_id}/comment", "POST", login.cookie,
                     {"body": text, "csrf_token": login.csrf})
    returned = time.monotonic()
    found = COMMENT_ID.search(answer.headers.get("Location", ""))
    if answer.status != 302 or not found:
        raise SystemExit(f"the comment was refused: {answer.status} {answer.body[:300]}")
    return int(found.group(1)), sent, returned


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> dict:
    url = database_url(os.environ.get("BENCH_DATABASE_URL",
                                      DEFAULT_DATABASE_URL.format(posts=POSTS)))
    print(f"== real time: {CLIENTS} clients over {PROCESSES} Socket.IO processes, "
          f"{COMMENTS} comments, {POSTS:,} posts", flush=True)
    app = seeded_app(url, USERS, POSTS)
    with app.app_context():
        cast = choose_cast()
        post_id = db.session.scalar(sa.select(Post.id).where(Post.published_at.is_not(None))
                                    .order_by(Post.id.desc()).limit(1))
        first_new = (db.session.scalar(sa.select(sa.func.max(Comment.id))) or 0) + 1
        db.engine.dispose()
    channel = f"microblog-bench-{uuid.uuid4().hex}"
    log_dir = ROOT / "bench" / "data" / "logs" / "realtime"
    settings = Settings(sizes=[POSTS], users=USERS, seconds=SECONDS, concurrency=CONNECTIONS,
                        repeats=1, database_url=str(url), sqlite_url=None, sqlite_posts=0,
                        redis_url=REDIS_URL, results_dir=RESULTS_DIR)
    report: dict = {"clients": CLIENTS, "processes": PROCESSES, "comments": COMMENTS,
                    "posts": POSTS, "seconds": SECONDS, "connections": CONNECTIONS,
                    "machine_load_1min": os.getloadavg()[0]}
    try:
        with fresh_cache(REDIS_URL) as prefix:
            env = {**app_env(url, REDIS_URL, prefix, log_dir), "SOCKETIO_CHANNEL": channel,
                   "RATELIMIT_COMMENT_PER_USER": "10000 per minute"}
            with Server(env, log_dir) as pages:
                sockets = [SocketServer(env, log_dir / f"socketio-{i}.log").__enter__()
                           for i in range(PROCESSES)]
                try:
                    report.update(measure(pages, sockets, cast, post_id, settings))
                finally:
                    for server in sockets:
                        server.__exit__()
    finally:
        with app.app_context():
            stale = list(db.session.scalars(sa.select(Comment.id).where(Comment.id >= first_new)))
            if stale:
                db.session.execute(sa.delete(Comment).where(Comment.id.in_(stale)))
                recount([post_id])
                db.session.commit()
            db.engine.dispose()
    verdict = {"p99_ok": report["delivery_p99_ms"] <= TARGET_P99_MS,
               "throughput_ok": report["home_ratio"] >= TARGET_RATIO,
               "at_full_scale": CLIENTS >= 500 and PROCESSES >= 2}
    report["verdict"] = verdict
    print(json.dumps(report, indent=2))
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "realtime-latest.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def measure(pages: Server, sockets: list[SocketServer], cast, post_id: int,
            settings: Settings) -> dict:
    """``ROUNDS`` rounds, each the home timeline without sockets, then with them open (on
    a shared machine one run can be 30 % off: medians of interleaved rounds, as
    ``make bench``); the comments are written in the last round, the sockets open."""
    reader = log_in(pages.base, cast.reader)
    writer = log_in(pages.base, cast.writer)
    home = Scenario("home", "/index", cookie=reader.cookie)
    without, with_open, memory, opening = [], [], [], []
    delays, from_send, missing = [], [], 0
    for number in range(ROUNDS):
        without.append(load(pages, home, CONNECTIONS, settings))
        idle_before = sum(server.rss_kb() for server in sockets)
        room = Room([server.base for server in sockets], post_id)
        started = time.monotonic()
        try:
            room.open(CLIENTS)
            opening.append(time.monotonic() - started)
            memory.append((sum(server.rss_kb() for server in sockets) - idle_before) / CLIENTS)
            with_open.append(load(pages, home, CONNECTIONS, settings))
            print(f"round {number + 1}: home {without[-1]['rps']} req/s without sockets, "
                  f"{with_open[-1]['rps']} with {CLIENTS} open "
                  f"({memory[-1]:.0f} KB each)", flush=True)
            if number == ROUNDS - 1:
                for comment in range(COMMENTS):
                    comment_id, sent, returned = write_comment(pages.base, writer, post_id,
                                                               f"Bench comment {comment}")
                    deadline = time.monotonic() + 10
                    while not room.heard_by_all(comment_id) and time.monotonic() < deadline:
                        time.sleep(0.005)  # the clients' own thread records the arrivals
                    heard = room.arrivals.get(comment_id, [])
                    missing += len(room.clients) - len(heard)
                    delays += [max(0.0, arrived - returned) * 1000 for arrived in heard]
                    from_send += [(arrived - sent) * 1000 for arrived in heard]
        finally:
            room.close()
    rps_without = statistics.median(run["rps"] for run in without)
    rps_with = statistics.median(run["rps"] for run in with_open)
    return {
        "rounds": ROUNDS,
        "home_rps_without_sockets": rps_without,
        "home_rps_with_sockets": rps_with,
        "home_ratio": round(rps_with / rps_without, 3) if rps_without else 0,
        "home_rps_rounds": [[a["rps"], b["rps"]] for a, b in
                            zip(without, with_open, strict=True)],
        "home_p99_ms_without": statistics.median(run["p99_ms"] for run in without),
        "home_p99_ms_with": statistics.median(run["p99_ms"] for run in with_open),
        "sockets_opened_in_s": round(statistics.median(opening), 2),
        # The Socket.IO processes' resident memory after the clients joined, less before,
        # per client: a thread, its stack in use, a socket, a session, its rooms.
        "memory_per_idle_connection_kb": round(statistics.median(memory), 1),
        "delivery_p50_ms": round(statistics.median(delays), 1) if delays else None,
        "delivery_p99_ms": round(percentile(delays, 0.99), 1) if delays else None,
        "delivery_max_ms": round(max(delays), 1) if delays else None,
        # The whole write path: from the comment's POST being sent to its event arriving
        # (the event is published after the commit, before the answer is written, so it
        # often arrives first: the target's figure above is then 0).
        "from_post_sent_p50_ms": round(statistics.median(from_send), 1) if from_send else None,
        "from_post_sent_p99_ms": round(percentile(from_send, 0.99), 1) if from_send else None,
        "deliveries": len(delays), "missing": missing,
    }


if __name__ == "__main__":
    main()
