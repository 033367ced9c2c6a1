"""CPU instructions per warm request, counted by callgrind (``make bench-instructions``).

On this shared machine the same code's requests/s, or even its CPU time per request,
moves by a third from one run to the next, which hides any change worth less than
that. callgrind (``valgrind --tool=callgrind``) runs the program on a simulated CPU
and counts the instructions it executes: the same code, data and requests give the
same count within about 1%, whatever else the machine is doing. So a change to what
a page does in Python is judged here, before and after, and ``make bench`` says what
it is worth under load.

Each page is measured in its own process, run under callgrind: the app in production
config on a database ``make bench`` seeded (``--posts``, default 1,000,000) with a
fresh Redis prefix, logged in as the benchmark's reader through Flask's test client
(no HTTP server: the count is the app's). ``--warm`` requests fill the caches
uncounted; counting is switched on around the next ``--requests`` only, by
``bench/callgrind.c``. Instructions are not time, but for the same Python doing less
they fall together, and a busy neighbour cannot move them.
"""

from __future__ import annotations

import argparse
import base64
import ctypes
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

from bench.run import (
    API_READS,
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    READ_PAGES,
    SECRET_KEY,
    TRANSLATED,
    USER_AGENT,
    choose_cast,
    csrf_token,
    database_url,
    fresh_cache,
    read_paths,
    seeded_app,
)
from microblog import create_app
from microblog.extensions import db
from microblog.seed import SEEDED_PASSWORD

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
HELPER_SOURCE = BENCH_DIR / "callgrind.c"
HELPER = BENCH_DIR / "data" / "libcallgrind.so"
TOTALS = re.compile(r"^totals:\s+(\d+)", re.M)
# Every page it can count: the reader's pages, home in Spanish beside home, and the API's
# reads.
PAGES = (READ_PAGES[0], *TRANSLATED, *READ_PAGES[1:], *API_READS)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help=f"some of {', '.join(PAGES)} (default: all)")
    parser.add_argument("--posts", type=int, default=1_000_000,
                        help="the data size (seeded as make bench does, or reused)")
    parser.add_argument("--users", type=int, default=10_000, help="accounts, when seeding")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", DEFAULT_DATABASE_URL), help="{posts} becomes the size")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL",
                                                              DEFAULT_REDIS_URL))
    parser.add_argument("--requests", type=int, default=30, help="counted, per page")
    parser.add_argument("--warm", type=int, default=20, help="uncounted, before")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.pages = args.pages or list(PAGES)
    if unknown := set(args.pages) - set(PAGES):
        parser.error(f"no such page: {', '.join(sorted(unknown))}")
    url = database_url(args.database_url.format(posts=args.posts))
    if args.inner:
        _count(args.pages[0], url, args.redis_url, args.requests, args.warm)
        return {}
    seeded_app(url, args.users, args.posts)
    _build_helper()
    counts = {}
    for page in args.pages:
        counts[page] = _measure(page, url, args.redis_url, args.requests, args.warm)
        print(f"{page:>16}: {counts[page] / 1e6:6.2f} million instructions per request",
              flush=True)
    return counts


def _build_helper() -> None:
    if HELPER.exists() and HELPER.stat().st_mtime >= HELPER_SOURCE.stat().st_mtime:
        return
    HELPER.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", str(HELPER), str(HELPER_SOURCE)],
                   check=True)


def _measure(page: str, url: sa.URL, redis_url: str, requests: int, warm: int) -> float:
    """Run one page's requests under callgrind; the instructions per counted request."""
    with tempfile.TemporaryDirectory() as out:
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                   f"--callgrind-out-file={out}/callgrind.%p",
                   sys.executable, "-m", "bench.instructions", "--inner", page,
                   "--database-url", url.render_as_string(hide_password=False),
                   "--redis-url", redis_url, "--requests", str(requests), "--warm", str(warm)]
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit(f"{page}: the counted run failed:\n{run.stdout}\n{run.stderr}")
        # The dump made when counting stopped is the second file (callgrind.<pid>.1).
        dumps = sorted(Path(out).glob("callgrind.*.1"))
        found = TOTALS.search(dumps[0].read_text()) if dumps else None
        if not found:
            raise SystemExit(f"{page}: callgrind wrote no count; is valgrind installed?")
        return int(found.group(1)) / requests


def _count(page: str, url: sa.URL, redis_url: str, requests: int, warm: int) -> None:
    """Inside callgrind: serve ``page`` to the reader, counting only the measured requests."""
    counting = ctypes.CDLL(str(HELPER))
    with fresh_cache(redis_url) as prefix:
        app = create_app("production", {
            "SECRET_KEY": SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
            "REDIS_URL": redis_url, "CACHE_KEY_PREFIX": prefix, "LOG_LEVEL": "WARNING",
            "LOG_TO_STDOUT": False, "LOG_DIR": str(BENCH_DIR / "data" / "logs" / "instructions"),
        })
        with app.app_context():
            cast = choose_cast()
            db.session.remove()
        client = app.test_client()
        # As wrk's requests arrive: over HTTPS (production's cookies are Secure), with the
        # User-Agent the session is bound to.
        client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_HOST": "localhost",
                                    "HTTP_USER_AGENT": USER_AGENT})
        login = client.get("/auth/login").get_data(as_text=True)
        answer = client.post("/auth/login", data={
            "username": cast.reader, "password": SEEDED_PASSWORD,
            "csrf_token": csrf_token(login)})
        if answer.status_code != 302:
            raise SystemExit(f"Could not log in as {cast.reader}: {answer.status_code}")
        if page in API_READS:
            path, headers = _api_read(client, cast, page)
        else:
            page, headers = TRANSLATED.get(page, (page, {}))
            path = read_paths(cast)[page]
        for _ in range(warm):
            if client.get(path, headers=headers).status_code != 200:
                raise SystemExit(f"{path} did not answer 200")
        counting.start_counting()
        for _ in range(requests):
            client.get(path, headers=headers)
        counting.stop_counting()


def _api_read(client, cast, scenario: str) -> tuple[str, dict[str, str]]:
    """What ``make bench`` asks of the API: a user without a token, or the reader's feed
    with the access token ``POST /api/tokens`` gives them."""
    if scenario == "api-user":
        return f"/api/users/{cast.prolific_id}", {}
    pair = base64.b64encode(f"{cast.reader}:{SEEDED_PASSWORD}".encode()).decode()
    answer = client.post("/api/tokens", headers={"Authorization": f"Basic {pair}"})
    if answer.status_code != 201:
        raise SystemExit(f"No API token for {cast.reader}: {answer.status_code}")
    return "/api/feed", {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


if __name__ == "__main__":
    main()
