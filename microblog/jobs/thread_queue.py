"""The embedded default: one worker thread in this process, fed by an in-memory queue.

``make run`` has no Redis and no worker process, yet registration must still send
its email and an export must still finish. So this process keeps a worker thread
of its own: the same :func:`~microblog.jobs.runner.run_task` as an RQ worker, the
same claim, retries with the same delays (kept in a timer heap here, where RQ's
scheduler keeps them in Redis), the same sweep every ``JOBS_SWEEP_SECONDS``.

Why this is only the default: the queue lives in the web process's memory. A
restart forgets it (the rows are still there, so the first sweep after a restart
finds and runs them again), a long task holds the thread every other task waits
for, and every web process has a worker of its own. Production runs RQ workers
(``microblog/jobs/rq_queue.py``) instead.

RQ's ``is_async=False`` mode would run each job inside ``enqueue``, in the request,
and it ignores retries and delays: not a substitute for this.
"""

from __future__ import annotations

import atexit
import heapq
import itertools
import os
import threading
import time
import weakref
from collections import deque

from flask import Flask

_queues: weakref.WeakSet[ThreadQueue] = weakref.WeakSet()
_SWEEP = object()  # what the thread is doing while it sweeps


class ThreadQueue:
    """Task ids waiting for this process's worker thread (started on first use)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._reset()
        _queues.add(self)

    def _reset(self) -> None:
        self._pid = os.getpid()  # a forked child (gunicorn) starts its own thread
        self._changed = threading.Condition()
        self._due: deque[str] = deque()
        self._later: list[tuple[float, int, str]] = []  # (when, order, task id): a heap
        self._order = itertools.count()
        self._running: object | None = None  # the task id (or _SWEEP) in hand
        self._thread: threading.Thread | None = None

    def hand_over(self, task_id: str, attempts: int, delay: float = 0,
                  replace: bool = False) -> None:
        """Run ``task_id`` in this process's thread, after ``delay`` seconds."""
        self.start()
        with self._changed:
            if delay > 0:
                heapq.heappush(self._later, (time.monotonic() + delay, next(self._order),
                                             task_id))
            else:
                self._due.append(task_id)
            self._changed.notify_all()

    def is_waiting(self, task_id: str, attempts: int) -> bool:
        with self._changed:
            return (task_id == self._running or task_id in self._due
                    or any(waiting == task_id for _, _, waiting in self._later))

    def start(self) -> None:
        """Start the worker thread if this process has none yet (cheap when it has)."""
        if self._pid != os.getpid():
            self._reset()
        if self._thread is not None:
            return
        with self._changed:
            if self._thread is None:
                sweep_first = bool(self.app.config["JOBS_SWEEP_SECONDS"])
                if sweep_first:  # busy from now on, for wait_until_idle
                    self._running = _SWEEP
                self._thread = threading.Thread(target=self._work, args=(sweep_first,),
                                                name="jobs-worker", daemon=True)
                self._thread.start()

    def wait_until_idle(self, timeout: float = 10) -> bool:
        """Block until nothing is due or running (retries waiting for later don't count);
        False if that took longer than ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._due or self._running is not None or self._retry_is_due():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def _retry_is_due(self) -> bool:
        return bool(self._later) and self._later[0][0] <= time.monotonic()

    def _work(self, sweep_first: bool) -> None:
        from microblog.jobs import sweep
        from microblog.jobs.runner import run_task

        every = self.app.config["JOBS_SWEEP_SECONDS"]  # 0: only `flask jobs sweep`
        next_sweep: float | None = None
        job: object | None = _SWEEP if sweep_first else None
        while True:
            if job is None:
                job = self._next(next_sweep)
            try:
                with self.app.app_context():
                    if job is _SWEEP:
                        sweep.sweep()
                    else:
                        run_task(job)
            except Exception:
                # The row says what happened to the task; the thread must live on.
                self.app.logger.exception("The jobs thread could not run %s",
                                          "its sweep" if job is _SWEEP else f"task {job}")
            finally:
                if job is _SWEEP:
                    next_sweep = time.monotonic() + every
                with self._changed:
                    self._running = None
                    self._changed.notify_all()
                job = None

    def _next(self, next_sweep: float | None) -> object:
        """Wait for the next task id that is due (or the sweep's turn) and take it."""
        with self._changed:
            while True:
                now = time.monotonic()
                while self._later and self._later[0][0] <= now:
                    self._due.append(heapq.heappop(self._later)[2])
                if self._due:
                    self._running = self._due.popleft()
                    return self._running
                if next_sweep is not None and next_sweep <= now:
                    self._running = _SWEEP
                    return _SWEEP
                wakes = [when for when in (next_sweep, self._later[0][0] if self._later
                                           else None) if when is not None]
                self._changed.notify_all()  # idle: wake wait_until_idle
                self._changed.wait(min(wakes) - now if wakes else None)


def wait_until_idle(timeout: float = 10) -> bool:
    """Wait for every app's worker thread in this process (tests, before they look)."""
    deadline = time.monotonic() + timeout
    return all(queue.wait_until_idle(max(0.0, deadline - time.monotonic()))
               for queue in list(_queues))


@atexit.register
def _finish_before_exit() -> None:
    """A command that queued an email (``flask user create-admin``) sends it before
    the process ends: the thread is a daemon, which Python would otherwise stop
    mid-task. What is still queued after 10 s stays in its row for the next sweep."""
    wait_until_idle(10)
