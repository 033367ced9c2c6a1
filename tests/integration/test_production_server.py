"""The app as production serves it: gunicorn with ``deploy/gunicorn.conf.py`` and two workers.

Each test starts a real gunicorn on a free loopback port, in production config on a
SQLite file (``/health`` needs no tables), and stops it at the end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import PRODUCTION_SECRET_KEY
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
WORKERS = 2


class Gunicorn:
    """``gunicorn -c deploy/gunicorn.conf.py`` with its standard output in a file."""

    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.stdout = tmp_path / "stdout.log"
        self.stderr = tmp_path / "stderr.log"
        self.env = {
            **os.environ,
            "MICROBLOG_ENV": "production", "SECRET_KEY": PRODUCTION_SECRET_KEY,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "REDIS_URL": "",
            "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(WORKERS),
            "LOG_DIR": str(tmp_path / "logs"), **env,
        }
        for name in ("LOG_TO_STDOUT", "LOG_FORMAT", "TRUSTED_PROXIES"):
            if name not in env:
                self.env.pop(name, None)  # the production defaults, not the caller's shell

    def __enter__(self) -> Gunicorn:
        with self.stdout.open("ab") as out, self.stderr.open("ab") as err:
            self.process = subprocess.Popen(
                [str(GUNICORN), "-c", "deploy/gunicorn.conf.py"],
                cwd=ROOT, env=self.env, stdout=out, stderr=err)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.stderr.read_text()
            if len(self.workers()) == WORKERS:
                try:
                    if self.get("/health").status == 200:
                        return self
                except OSError:
                    pass
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"gunicorn did not answer within 60 s: {self.stderr.read_text()}")

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """A graceful stop, as a deploy does: workers finish and exit."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def get(self, path: str, headers: dict[str, str] | None = None):
        with urllib.request.urlopen(urllib.request.Request(self.base + path,
                                                           headers=headers or {}),
                                    timeout=10) as response:
            response.read()
            return response

    def get_many(self, batch: str, count: int) -> None:
        """``count`` concurrent GETs of /health, their request ids starting with ``batch``."""
        def get(number: int):
            return self.get("/health", {"X-Request-ID": f"{batch}-{number}"})

        with ThreadPoolExecutor(8) as pool:
            assert all(r.status == 200 for r in pool.map(get, range(count)))


def request_ids(text: str, batch: str) -> set[str]:
    """The ids in the request log's records of ``batch``; every line must be whole JSON."""
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return {r["request_id"] for r in records
            if r.get("logger") == "microblog.request" and r["request_id"].startswith(batch)}


def test_two_workers_write_every_request_record_to_standard_output(tmp_path):
    with Gunicorn(tmp_path) as server:
        server.get_many("load", 300)
    # The server has stopped: every worker has flushed and exited.

    assert len(request_ids(server.stdout.read_text(), "load")) == 300
    assert not (tmp_path / "logs").exists(), "production writes no log file by default"


def test_two_workers_share_a_log_file_that_logrotate_moves_away(tmp_path):
    """With LOG_TO_STDOUT=false both workers append to one file; when logrotate renames
    it, each worker notices and writes to a new file, losing nothing."""
    log = tmp_path / "logs" / "microblog.log"
    with Gunicorn(tmp_path, LOG_TO_STDOUT="false") as server:
        server.get_many("before", 150)
        log.rename(log.with_suffix(".log.1"))  # what logrotate does
        server.get_many("after", 150)

    moved, new = log.with_suffix(".log.1").read_text(), log.read_text()
    assert len(request_ids(moved, "before")) == 150
    assert len(request_ids(new, "after")) == 150, "each worker reopened the file"


HTTPS_FROM_A_CLIENT = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on"}


def test_a_client_on_loopback_cannot_claim_https_without_a_trusted_proxy(tmp_path):
    """gunicorn alone would believe X-Forwarded-Proto from 127.0.0.1 and the app would
    send HSTS over plain HTTP; only TRUSTED_PROXIES makes the app believe it."""
    with Gunicorn(tmp_path) as server:
        response = server.get("/health", HTTPS_FROM_A_CLIENT)
    assert "Strict-Transport-Security" not in response.headers


def test_behind_a_trusted_proxy_https_requests_get_hsts(tmp_path):
    with Gunicorn(tmp_path, TRUSTED_PROXIES="1") as server:
        response = server.get("/health", HTTPS_FROM_A_CLIENT)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
