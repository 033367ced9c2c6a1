"""The soak: the production shape under load while its services fail (``make soak``).

gunicorn with ``deploy/gunicorn.conf.py`` and two workers serves the app from a private
PostgreSQL cluster and a private Redis, both started here on ports of their own, so a
fault hurts nobody else. Client threads, each signed in as a different person, read
pages and post statuses. Meanwhile the script kills Redis and starts it again, pauses
it (SIGSTOP) and resumes it, and stops PostgreSQL and starts it again, with quiet
phases between. Every request is recorded with its phase; a post the app acknowledged
(303/302 to the home page) must be in the database at the end.

A run fails when an acknowledged post is missing, when a request fails (5xx, no answer
within 10 s, connection refused) outside a fault and the 5 s after it, when the app is
still failing 5 s after a fault ended, or when it ever answers 500: an outage is a 503
with ``Retry-After``, never a crash page. The long run also fails when a worker's memory
grows more than 10 % between the first and the last quiet phase.

``tests/integration/test_soak.py`` runs the short version in ``make test``.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg

from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECRET_KEY = "soak-test-not-a-secret-0123456789abcdef"
# Seconds after a fault ends within which requests may still fail.
RECOVERY_SECONDS = 5.0
REQUEST_TIMEOUT = 10.0
MEMORY_GROWTH_LIMIT = 0.10
PEOPLE = ["susan", "john", "amy", "david", "lina"]  # the demo data's, password "password"
READS = ["/index", "/explore", "/user/susan", "/user/amy"]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def postgres_bin() -> Path:
    """The directory holding initdb and pg_ctl (Debian keeps them out of PATH)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not versions:
        raise RuntimeError("PostgreSQL's pg_ctl is not installed")
    return versions[-1].parent


# --- the private services -------------------------------------------------------------------


class PrivateRedis:
    """``redis-server`` on its own port, keeping nothing on disk."""

    def __init__(self, directory: Path) -> None:
        self.directory, self.port = directory, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, 10, "the private Redis to answer")

    def answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.resume()
            self.kill()


class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb), on its own port, with trust auth.

    PostgreSQL refuses to run as root, so as root the cluster belongs to the
    ``postgres`` account and its commands run through ``runuser``.
    """

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="microblog-soak-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/microblog"
        self.bin = postgres_bin()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.directory, "postgres")

    def run(self, *command: str) -> None:
        subprocess.run([*self.as_postgres, *command], check=True, capture_output=True)

    def initialise(self) -> None:
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                 "--no-sync")
        self.start()
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as connection:
            connection.execute("CREATE DATABASE microblog")

    def dsn(self, database: str = "microblog") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                 str(self.directory / "server.log"), "-w", "-o",
                 f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                 "-c fsync=off -c max_connections=60", "start")

    def stop(self) -> None:
        """A fast shutdown: sessions are cut, as when the database host restarts."""
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run([*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data),
                            "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.directory, ignore_errors=True)


class Gunicorn:
    """The app as production serves it, on the private services."""

    def __init__(self, directory: Path, database_url: str, redis_url: str) -> None:
        self.port = free_port()
        self.log = directory / "gunicorn.log"
        self.env = {
            **os.environ, "MICROBLOG_ENV": "production", "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": "2",
            "LOG_TO_STDOUT": "true", "LOG_LEVEL": "WARNING",
        }

    def prepare_database(self) -> None:
        for command in (["db", "upgrade"], ["seed"]):
            subprocess.run([str(BIN / "flask"), "--app", "microblog", *command], cwd=ROOT,
                           env=self.env, check=True, capture_output=True)

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
                cwd=ROOT, env=self.env, stdout=log, stderr=log)
        wait_until(lambda: len(self.workers()) == 2 and self.answers(), 60, "gunicorn to answer")

    def answers(self) -> bool:
        try:
            return Browser(self.port).get("/health").status == 200
        except (OSError, http.client.HTTPException):
            return False

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def worker_memory_kib(self) -> int:
        """The resident memory of the workers together (VmRSS)."""
        total = 0
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1))
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise RuntimeError(f"gave up waiting {seconds} s for {what}")


# --- the clients ----------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    location: str
    body: str


class Browser:
    """One person's HTTP client: keeps cookies (``Secure`` ones too: the soak talks plain
    HTTP to gunicorn, as a TLS-ending proxy would) and the CSRF token of the last form."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            from urllib.parse import urlencode

            body = urlencode({"csrf_token": self.csrf_token, **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            found = CSRF.search(text)
            if found:
                self.csrf_token = found.group(1)
            return Answer(response.status, response.headers.get("Location", ""), text)
        finally:
            connection.close()

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Answer:
        return self.request("POST", path, form)

    def log_in(self, username: str) -> None:
        self.get("/auth/login")
        answer = self.post("/auth/login", {"username": username, "password": "password"})
        if answer.status not in (302, 303):
            raise RuntimeError(f"{username} could not sign in: {answer.status}")


# --- the run --------------------------------------------------------------------------------


@dataclass
class Record:
    phase: str
    started: float
    finished: float
    kind: str  # "read" or "write"
    ok: bool
    detail: str


@dataclass
class Report:
    records: list[Record] = field(default_factory=list)
    faults: list[tuple[str, float, float]] = field(default_factory=list)  # name, start, end
    acknowledged: set[str] = field(default_factory=set)
    found: set[str] = field(default_factory=set)
    memory_kib: list[int] = field(default_factory=list)
    long: bool = False

    @property
    def missing(self) -> set[str]:
        return self.acknowledged - self.found

    def errors_outside_faults(self) -> list[Record]:
        """Failed requests that neither overlapped a fault nor came in the 5 s after it."""
        def excused(record: Record) -> bool:
            return any(record.finished >= start and record.started <= end + RECOVERY_SECONDS
                       for _, start, end in self.faults)
        return [r for r in self.records if not r.ok and not excused(r)]

    def recovery_seconds(self) -> dict[str, float]:
        """For each fault, how long after its end the app still failed: the last failure
        that ended before the next fault began, less the fault's end (0: none after it).
        A request that was still running when the next fault began is that fault's."""
        recovery = {}
        starts = [start for _, start, _ in self.faults][1:] + [float("inf")]
        for (name, _, end), next_start in zip(self.faults, starts, strict=True):
            later = [r.finished - end for r in self.records
                     if not r.ok and end <= r.finished < next_start]
            recovery[name] = round(max(later, default=0.0), 2)
        return recovery

    def memory_growth(self) -> float:
        if len(self.memory_kib) < 2:
            return 0.0
        return self.memory_kib[-1] / self.memory_kib[0] - 1

    def problems(self) -> list[str]:
        problems = []
        if self.missing:
            problems.append(f"{len(self.missing)} acknowledged posts are missing")
        outside = self.errors_outside_faults()
        if outside:
            problems.append(f"{len(outside)} requests failed outside a fault, e.g. "
                            f"{outside[0].phase}: {outside[0].detail}")
        crashes = sum(r.detail == "500" for r in self.records)
        if crashes:
            problems.append(f"the app answered 500 {crashes} times: an outage is a 503")
        for name, seconds in self.recovery_seconds().items():
            if seconds > RECOVERY_SECONDS:
                problems.append(f"after {name} the app took {seconds} s to recover")
        if self.long and self.memory_growth() > MEMORY_GROWTH_LIMIT:
            problems.append(f"worker memory grew {self.memory_growth():.0%}")
        if not any(r.ok and r.kind == "write" for r in self.records):
            problems.append("no post was ever acknowledged")
        return problems

    def summary(self) -> str:
        lines = [f"{'phase':<16} {'requests':>8} {'failed':>6} {'max s':>6}"]
        by_phase: dict[str, list[Record]] = {}
        for record in self.records:
            by_phase.setdefault(record.phase, []).append(record)
        for phase, records in by_phase.items():
            failed = sum(not r.ok for r in records)
            slowest = max(r.finished - r.started for r in records)
            lines.append(f"{phase:<16} {len(records):>8} {failed:>6} {slowest:>6.2f}")
        kinds = Counter(r.detail for r in self.records if not r.ok)
        lines.append(f"failures: {dict(kinds.most_common(5))}")
        lines.append(f"posts acknowledged {len(self.acknowledged)}, found {len(self.found)}, "
                     f"missing {len(self.missing)}")
        lines.append(f"recovery seconds: {self.recovery_seconds()}")
        if self.memory_kib:
            lines.append(f"worker memory KiB: first {self.memory_kib[0]}, "
                         f"last {self.memory_kib[-1]} ({self.memory_growth():+.1%})")
        return "\n".join(lines)


class Load:
    """Client threads reading and writing until stopped, recording every request."""

    def __init__(self, port: int, clients: int, report: Report) -> None:
        self.port, self.clients, self.report = port, clients, report
        self.phase = "warm-up"
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        # Each person signs in once (sign-ins from one address are rate-limited), and
        # clients beyond five share a person's cookies, as several tabs would.
        signed_in = {}
        for name in PEOPLE[:self.clients]:
            signed_in[name] = Browser(self.port)
            signed_in[name].log_in(name)
        for number in range(self.clients):
            person = signed_in[PEOPLE[number % len(PEOPLE)]]
            browser = Browser(self.port)
            browser.cookies, browser.csrf_token = dict(person.cookies), person.csrf_token
            thread = threading.Thread(target=self.drive, args=(browser, number), daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)

    def drive(self, browser: Browser, number: int) -> None:
        step = 0
        while not self.stopping.is_set():
            step += 1
            if step % 4 == 0:
                self.write(browser)
            else:
                self.read(browser, READS[(number + step) % len(READS)])

    def read(self, browser: Browser, path: str) -> None:
        phase, started = self.phase, time.monotonic()
        try:
            answer = browser.get(path)
            ok, detail = answer.status < 500, str(answer.status)
        except (OSError, http.client.HTTPException) as error:
            ok, detail = False, type(error).__name__
        self.keep(Record(phase, started, time.monotonic(), "read", ok, detail))

    def write(self, browser: Browser) -> None:
        """Post a status with a unique body; a redirect to the home page acknowledges it."""
        body = f"soak {uuid.uuid4().hex}"
        phase, started = self.phase, time.monotonic()
        try:
            if not browser.csrf_token:
                browser.get("/index")
            answer = browser.post("/index", {"post": body})
            acknowledged = answer.status in (302, 303) and answer.location.endswith("/index")
            ok, detail = answer.status < 500, str(answer.status)
        except (OSError, http.client.HTTPException) as error:
            acknowledged, ok, detail = False, False, type(error).__name__
        with self.lock:
            if acknowledged:
                self.report.acknowledged.add(body)
        self.keep(Record(phase, started, time.monotonic(), "write", ok, detail))

    def keep(self, record: Record) -> None:
        with self.lock:
            self.report.records.append(record)


@contextmanager
def production_shape(directory: Path) -> Iterator[tuple[PrivatePostgres, PrivateRedis, Gunicorn]]:
    with ExitStack() as stack:
        postgres = PrivatePostgres()
        stack.callback(postgres.remove)
        postgres.initialise()
        redis_server = PrivateRedis(directory)
        stack.callback(redis_server.stop)
        redis_server.start()
        server = Gunicorn(directory, postgres.url, redis_server.url)
        server.prepare_database()
        server.start()
        stack.callback(server.stop)
        yield postgres, redis_server, server


def run(directory: Path, *, clients: int = 4, quiet: float = 4.0, fault: float = 3.0,
        rounds: int = 1, long: bool = False) -> Report:
    """One soak: ``rounds`` of (quiet, Redis killed, quiet, Redis paused, quiet,
    PostgreSQL stopped, quiet); the report says what happened."""
    report = Report(long=long)
    with production_shape(directory) as (postgres, redis_server, server):
        load = Load(server.port, clients, report)
        load.start()
        try:
            def quiet_phase(name: str) -> None:
                load.phase = name
                time.sleep(quiet)  # the load runs meanwhile; this is its duration
                report.memory_kib.append(server.worker_memory_kib())

            def fault_phase(name: str, begin, end) -> None:
                load.phase = name
                start = time.monotonic()
                begin()
                time.sleep(fault)
                end()
                report.faults.append((name, start, time.monotonic()))

            quiet_phase("warm-up")
            for round_number in range(1, rounds + 1):
                quiet_phase(f"quiet {round_number}a")
                fault_phase(f"redis killed {round_number}", redis_server.kill,
                            redis_server.start)
                quiet_phase(f"quiet {round_number}b")
                fault_phase(f"redis paused {round_number}", redis_server.pause,
                            redis_server.resume)
                quiet_phase(f"quiet {round_number}c")
                fault_phase(f"postgres down {round_number}", postgres.stop, postgres.start)
                quiet_phase(f"quiet {round_number}d")
        finally:
            load.stop()
        if long:
            report.memory_kib = report.memory_kib[1:]  # from the first quiet phase after warm-up
        with psycopg.connect(postgres.dsn()) as connection:
            rows = connection.execute("SELECT body FROM posts WHERE body LIKE 'soak %'")
            report.found = {body for (body,) in rows}
    return report


def main() -> int:
    """``make soak``: the long run, 10 minutes at 32 connections."""
    long_run = os.environ.get("SOAK", "long") == "long"
    with tempfile.TemporaryDirectory(prefix="microblog-soak-") as directory:
        if long_run:
            # Each round takes 4 quiet phases of 30 s and 3 faults of 10 s: 150 s.
            report = run(Path(directory), clients=32, quiet=30, fault=10, rounds=4, long=True)
        else:
            report = run(Path(directory))
    print(report.summary())
    problems = report.problems()
    for problem in problems:
        print("FAIL:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
