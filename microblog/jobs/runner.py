"""Running one task: what every worker does with a task id, whichever queue brought it.

:func:`run_task` is the whole life of one attempt, written to the ``Task`` row:

1. **Claim** it: ``UPDATE … SET state='running', attempts=attempts+1 WHERE id=… AND
   state='queued'``. One statement, so two workers handed the same id (a message
   delivered twice, a sweep that re-queued a task another process still held) cannot
   both run it: the second finds nothing to claim and returns.
2. **Run** the function with the row's arguments, in the app context, while a
   heartbeat thread writes ``heartbeat_at`` every ``JOBS_HEARTBEAT_SECONDS``, so a
   sweep can tell a long task from one whose worker died.
3. **Record** the outcome: finished (progress 100), or, after an error, queued again
   with a delay when the error is transient and attempts remain
   (:mod:`microblog.jobs.retries`), else failed with the error.

Every later write names the attempt it belongs to (``AND attempts = n``): a run the
sweep gave up on (its worker hung, then woke) can no longer overwrite the next one.
"""

from __future__ import annotations

import contextvars
import threading
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context

from microblog.extensions import db
from microblog.jobs import functions, retries, signals
from microblog.models.base import utcnow
from microblog.models.task import Task, TaskState


@dataclass
class _Running:
    """The attempt this thread is running, for :func:`set_progress`."""

    app: Flask
    task_id: str
    attempt: int
    user_id: int | None
    progress: int = 0


_current: contextvars.ContextVar[_Running | None] = contextvars.ContextVar(
    "microblog_task", default=None)
_worker_app: Flask | None = None


def run_task(task_id: str) -> None:
    """Run the task ``task_id`` once, if it is still waiting; the queue's job function.

    Our workers call it in their app's context. Outside one (RQ's own ``rq worker``
    command), the process builds its app the first time and keeps it.
    """
    if has_app_context():
        _run(current_app._get_current_object(), task_id)
        return
    global _worker_app
    if _worker_app is None:
        from microblog import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        _run(_worker_app, task_id)


def set_progress(percent: float) -> None:
    """Say how far the running task has got (0–100); the owner's page reads it.

    Written at once on a connection of its own, so the page sees it while the task
    is still in its own transaction. Called outside a job (a test calling the task
    function directly), it does nothing. Only a change of a whole per cent is
    written: calling it for every row is cheap.
    """
    running = _current.get()
    if running is None:
        return
    percent = max(0, min(100, int(percent)))
    if percent == running.progress:
        return
    running.progress = percent
    try:
        with db.engine.begin() as connection:
            connection.execute(_this_run(running.task_id, running.attempt)
                               .values(progress=percent, heartbeat_at=utcnow()))
    except sa.exc.SQLAlchemyError:
        # Progress is a courtesy; the task's own work goes on.
        running.app.logger.warning("Could not record task %s's progress", running.task_id,
                                   exc_info=True)
        return
    _send(running.app, signals.task_progress, task_id=running.task_id,
          user_id=running.user_id, progress=percent)


def current_task_id() -> str | None:
    """The id of the task this thread is running (None outside a job): a task that
    names what it makes after its own row (an export's file) asks this."""
    running = _current.get()
    return running.task_id if running is not None else None


def _run(app: Flask, task_id: str) -> None:
    task = _claim(task_id)
    if task is None:
        return
    attempt, max_attempts, user_id = task.attempts, task.max_attempts, task.user_id
    description, args = task.description, list(task.args or [])
    try:
        function, _options = functions.resolve(task.name)
    except LookupError as error:
        _fail(app, task_id, attempt, user_id, retries.describe(error))
        return
    heartbeat = _Heartbeat(app, task_id, attempt)
    heartbeat.start()
    token = _current.set(_Running(app, task_id, attempt, user_id))
    try:
        function(*args)
    except Exception as error:
        db.session.rollback()
        message = retries.describe(error)
        if retries.is_transient(error) and attempt < max_attempts:
            _retry_later(app, task_id, attempt, max_attempts, description, message)
        else:
            app.logger.error("Task %s (%s) failed on attempt %d of %d", task_id, description,
                             attempt, max_attempts, exc_info=True)
            _fail(app, task_id, attempt, user_id, message)
    else:
        now = utcnow()
        db.session.execute(_this_run(task_id, attempt).values(
            state=TaskState.FINISHED, progress=100, finished_at=now, heartbeat_at=now,
            error=None, args=None))
        db.session.commit()
        _send(app, signals.task_finished, task_id=task_id, user_id=user_id)
    finally:
        _current.reset(token)
        heartbeat.stop()


def _claim(task_id: str) -> Task | None:
    """Take the task if it is waiting; None when it is gone, taken or done already."""
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Task).where(Task.id == task_id, Task.state == TaskState.QUEUED)
        .values(state=TaskState.RUNNING, attempts=Task.attempts + 1, progress=0,
                started_at=now, heartbeat_at=now, finished_at=None, run_after=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return db.session.get(Task, task_id) if claimed == 1 else None


def _this_run(task_id: str, attempt: int) -> sa.Update:
    """An UPDATE of the task that changes it only while attempt ``attempt`` has it."""
    return (sa.update(Task)
            .where(Task.id == task_id, Task.state == TaskState.RUNNING,
                   Task.attempts == attempt)
            .execution_options(synchronize_session=False))


def _retry_later(app: Flask, task_id: str, attempt: int, max_attempts: int,
                 description: str, message: str) -> None:
    from microblog.jobs import hand_over  # the package imports this module

    delay = retries.retry_delay(app.config, attempt)
    db.session.execute(_this_run(task_id, attempt).values(
        state=TaskState.QUEUED, error=message, heartbeat_at=None,
        run_after=utcnow() + timedelta(seconds=delay)))
    db.session.commit()
    app.logger.warning("Task %s (%s) failed on attempt %d of %d (%s); trying again in %g s",
                       task_id, description, attempt, max_attempts, message, delay)
    hand_over(app, task_id, attempt, delay)


def _fail(app: Flask, task_id: str, attempt: int, user_id: int | None, message: str) -> None:
    db.session.execute(_this_run(task_id, attempt).values(
        state=TaskState.FAILED, error=message, finished_at=utcnow()))
    db.session.commit()
    _send(app, signals.task_failed, task_id=task_id, user_id=user_id, error=message)


def _send(app: Flask, signal, **details) -> None:
    """Tell the listeners; one that breaks is logged and does not undo the task."""
    try:
        signal.send(app, **details)
    except Exception:
        app.logger.exception("A receiver of %s failed for task %s", signal.name,
                             details["task_id"])


class _Heartbeat:
    """Writes ``heartbeat_at`` every ``JOBS_HEARTBEAT_SECONDS`` while one attempt runs."""

    def __init__(self, app: Flask, task_id: str, attempt: int) -> None:
        self.app, self.task_id, self.attempt = app, task_id, attempt
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{task_id}",
                                       daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()

    def _beat(self) -> None:
        interval = self.app.config["JOBS_HEARTBEAT_SECONDS"]
        while not self.stopped.wait(interval):
            try:
                with self.app.app_context(), db.engine.begin() as connection:
                    connection.execute(_this_run(self.task_id, self.attempt)
                                       .values(heartbeat_at=utcnow()))
            except sa.exc.SQLAlchemyError:
                self.app.logger.warning("Could not record task %s's heartbeat", self.task_id,
                                        exc_info=True)
