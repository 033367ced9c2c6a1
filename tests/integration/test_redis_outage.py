"""A Redis that hangs costs each request little: the production shape against a paused Redis.

The app runs as in production (PostgreSQL, the cache and the rate limits in Redis)
behind a real threaded HTTP server, against a private ``redis-server`` this module
starts on its own port. ``SIGSTOP`` freezes that server the way a hung or swapped-out
Redis looks from outside: connections are accepted and nothing is ever answered.
Each request must still finish within a second, the cached pages must keep most of
their speed and show the right posts, writes must go through, and once the server is
woken (``SIGCONT``) the app must use it again.
"""

from __future__ import annotations

import logging
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from werkzeug.serving import make_server

from microblog.extensions import limiter
from microblog.models.role import Role
from microblog.services import categories, posts
from tests.conftest import IN_CI, PASSWORD
from tests.smtp import free_port

# The cached pages a reader loads, and a title each must show.
PAGES = ["/explore", "/feed.atom", "/user/ann/feed.atom", "/sitemap.xml"]
REQUESTS_PER_RUN = 240
CLIENTS = 4
# How long the app skips Redis after a failure, here (the default is a few seconds).
BREAKER_SECONDS = 1.0


@dataclass
class PrivateRedis:
    """A ``redis-server`` of this test's own, which it may pause and wake."""

    process: subprocess.Popen
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5, socket_connect_timeout=5)

    def wait_until_answering(self, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                with self.client() as client:
                    client.ping()
                return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def reads(self) -> int:
        """How many keys the server has been asked for (hits and misses)."""
        with self.client() as client:
            stats = client.info("stats")
        return stats["keyspace_hits"] + stats["keyspace_misses"]

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    binary = shutil.which("redis-server")
    if binary is None:
        if IN_CI:
            pytest.fail("redis-server is not installed (CI=true: this test is required)")
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    server = PrivateRedis(process, port)
    try:
        server.wait_until_answering()
        yield server
    finally:
        server.resume()  # a stopped process does not act on SIGTERM
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def serving(app) -> Iterator[str]:
    """``app`` behind Werkzeug's threaded HTTP server on a free port; yields its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@dataclass(frozen=True)
class Answer:
    path: str
    status: int
    seconds: float
    body: str = field(repr=False)


@dataclass(frozen=True)
class Run:
    answers: list[Answer]
    seconds: float

    @property
    def per_second(self) -> float:
        return len(self.answers) / self.seconds

    @property
    def slowest(self) -> Answer:
        return max(self.answers, key=lambda answer: answer.seconds)


def fetch(base_url: str, path: str) -> Answer:
    started = time.perf_counter()
    # The timeout only stops a hung request from hanging the test; the assertions judge it.
    with urllib.request.urlopen(base_url + path, timeout=30) as response:
        body = response.read().decode()
        status = response.status
    return Answer(path, status, time.perf_counter() - started, body)


def load(base_url: str, requests: int = REQUESTS_PER_RUN) -> Run:
    """``requests`` requests for the cached pages in turn, from ``CLIENTS`` clients at once."""
    paths = [PAGES[i % len(PAGES)] for i in range(requests)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = list(pool.map(lambda path: fetch(base_url, path), paths))
    return Run(answers, time.perf_counter() - started)


@pytest.fixture
def site(app, make_user, production_app, private_redis):
    """ann's articles in the Flask category, and the production app on the private Redis."""
    ann = make_user("ann")
    ada = make_user("ada", role=Role.ADMIN)
    flask = categories.create(ada, "Flask")
    for number in range(8):
        posts.create_article(ann, f"Article {number}", "Text.", category_id=flask.id)
    limiter._storage_dead = False  # a verdict an earlier test left on this process's limiter
    yield production_app(
        REDIS_URL=private_redis.url,
        CACHE_BREAKER_SECONDS=BREAKER_SECONDS,
        RATELIMIT_ENABLED=True,
        # Plain HTTP on loopback: the test client must send the session cookie back.
        SESSION_COOKIE_SECURE=False,
        REMEMBER_COOKIE_SECURE=False,
    )
    limiter._storage_dead = False  # nor may this test's verdict stay for the next


def shows_the_articles(answer: Answer, *titles: str) -> bool:
    """A 200 that lists each of ``titles`` (the sitemap lists their addresses)."""
    def slug(title: str) -> str:
        return title.lower().replace(" ", "-")
    if answer.path == "/sitemap.xml":
        titles = tuple(map(slug, titles))
    return answer.status == 200 and all(title in answer.body for title in titles)


def breaker_messages(caplog, words: str) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "microblog.caching" and words in r.getMessage()]


@pytest.mark.parametrize("backend_app", ["postgresql"], indirect=True)
def test_a_paused_redis_costs_each_request_little_and_the_site_keeps_its_speed(
    site, private_redis, caplog
):
    caplog.set_level(logging.INFO, logger="microblog.caching")
    with serving(site) as base_url:
        warm = load(base_url, len(PAGES))
        assert all(shows_the_articles(answer, "Article 7") for answer in warm.answers)
        assert private_redis.reads() > 0, "the cache is in Redis"
        normal = load(base_url)

        private_redis.pause()
        paused = load(base_url)

    assert all(shows_the_articles(answer, "Article 0", "Article 7")
               for answer in paused.answers), "every page right, none an error"
    assert paused.slowest.seconds < 1, f"{paused.slowest} waited on Redis"
    assert paused.per_second >= 0.5 * normal.per_second, (
        f"{paused.per_second:.0f} req/s with Redis paused, {normal.per_second:.0f} before"
    )
    assert len(breaker_messages(caplog, "is not answering")) == 1, (
        "one warning when Redis stops answering, not one a request"
    )


@pytest.mark.parametrize("backend_app", ["postgresql"], indirect=True)
def test_writes_go_through_a_paused_redis_and_show_once_it_is_back(
    site, private_redis, caplog
):
    caplog.set_level(logging.INFO, logger="microblog.caching")
    writer = site.test_client()
    with serving(site) as base_url:
        assert shows_the_articles(fetch(base_url, "/feed.atom"), "Article 7")  # cached in Redis

        private_redis.pause()
        # Signing in is rate limited (counted in memory now); publishing invalidates the
        # cached lists, which Redis cannot take. Each form is read first, as a browser does.
        for url, form in (("/auth/login", {"username": "ann", "password": PASSWORD}),
                          ("/write", {"title": "Written While Paused", "publish": "Publish",
                                      "body": "Written while Redis slept."})):
            token = writer.csrf_token()
            started = time.perf_counter()
            assert writer.post(url, data={"csrf_token": token, **form}).status_code == 302
            assert time.perf_counter() - started < 1, f"POST {url} waited on Redis"
        assert shows_the_articles(fetch(base_url, "/feed.atom"), "Written While Paused")

        private_redis.resume()
        before = private_redis.reads()
        deadline = time.monotonic() + BREAKER_SECONDS + 15
        while private_redis.reads() == before:
            assert time.monotonic() < deadline, "the app never asked Redis again"
            fetch(base_url, "/explore")
            time.sleep(0.1)

        assert shows_the_articles(fetch(base_url, "/feed.atom"), "Written While Paused"), (
            "the invalidation Redis missed while paused is delivered, not lost"
        )
    assert len(breaker_messages(caplog, "answers again")) == 1
