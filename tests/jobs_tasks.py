"""Task functions for the job tests (a worker process imports them by name).

Each records what it did in a file the test gives it, one line per run, so the
test can tell how many times it ran whichever process ran it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import sqlalchemy as sa

from microblog import jobs
from microblog.extensions import db


def runs(path: str) -> list[str]:
    file = Path(path)
    return file.read_text().splitlines() if file.exists() else []


def _record(path: str, line: str) -> int:
    with open(path, "a") as file:
        file.write(line + "\n")
    return len(runs(path))


@jobs.task
def count_to(path: str, total: int) -> None:
    """Reports progress halfway and writes down what the database said it was."""
    _record(path, "start")
    for done in range(1, total + 1):
        jobs.set_progress(100 * done / total)
        if done == total // 2:
            with db.engine.connect() as connection:  # as the owner's page would read it
                seen = connection.scalar(sa.text(
                    "SELECT progress FROM tasks WHERE state = 'running'"))
            _record(path, f"progress {seen}")


@jobs.task
def flaky(path: str, failures: int) -> None:
    """Fails with a connection error on its first ``failures`` runs."""
    if _record(path, "run") <= failures:
        raise ConnectionRefusedError(111, "Connection refused")


@jobs.task
def broken(path: str) -> None:
    _record(path, "run")
    raise ValueError("this input can never work")


@jobs.task(max_attempts=3)
def hang_once(path: str) -> None:
    """The first run writes its process id and waits to be killed; later runs finish."""
    if _record(path, f"pid {os.getpid()}") == 1:
        threading.Event().wait(60)
        raise RuntimeError("was not killed")


def not_a_task() -> None:
    """Not marked @jobs.task: no row may name it."""


@jobs.task(max_attempts=1, page="settings.index")
def owned(path: str, fail: bool) -> None:
    """A task someone started, whose result is on a page of theirs."""
    _record(path, "run")
    if fail:
        raise ValueError("the input was wrong")
