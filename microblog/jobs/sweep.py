"""Finding the tasks nobody is doing, and handing them on: no task stays stuck.

Two ways a task can be forgotten, and what the sweep does about each:

- **Its worker died** (killed, out of memory, the machine rebooted) in the middle of
  it. The row still says ``running``, but nobody writes its heartbeat any more. After
  ``JOBS_STALE_SECONDS`` without one it is queued again, if attempts remain (the
  task must then be safe to run twice: *idempotent*), or else failed, saying why.
- **Its message was lost**: Redis was down when it was queued, or restarted empty,
  or the process holding the in-memory queue stopped. The row says ``queued``, for
  longer than ``JOBS_STALE_SECONDS``, and the queue does not have it: it is queued
  again. (Queued twice by mistake, it still runs once: the worker's claim sees to it.)

Workers sweep when they start and every ``JOBS_SWEEP_SECONDS``; ``flask jobs sweep``
does it by hand. Being what runs periodically wherever the app runs, the sweep also
does the site's one piece of housekeeping: deleting data exports past their week
(:func:`microblog.services.exports.remove_expired_exports`). Every change is
conditional on the row being as it was read, so two sweeps at once (two workers)
hand each task on once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from microblog.extensions import db
from microblog.jobs import signals
from microblog.models.base import utcnow
from microblog.models.task import Task, TaskState


@dataclass(frozen=True)
class Swept:
    task_id: str
    outcome: str  # "requeued" (its worker died), "failed" (and no attempts were left)
    # or "resent" (its message was lost)


def sweep(now: datetime | None = None) -> list[Swept]:
    """Hand on every task whose worker died or whose message was lost; say what was done."""
    from microblog.jobs import hand_over  # the package imports this module

    app = current_app._get_current_object()
    now = now or utcnow()
    stale = now - timedelta(seconds=app.config["JOBS_STALE_SECONDS"])
    done: list[Swept] = []
    dead = db.session.scalars(sa.select(Task).where(
        Task.state == TaskState.RUNNING, Task.heartbeat_at < stale)).all()
    for task in dead:
        attempts, user_id = task.attempts, task.user_id
        last_seen = task.heartbeat_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        again = attempts < task.max_attempts
        message = (f"The worker running attempt {attempts} stopped "
                   f"(last heard from at {last_seen}).")
        changed = db.session.execute(
            sa.update(Task).where(Task.id == task.id, Task.state == TaskState.RUNNING,
                                  Task.attempts == attempts,
                                  Task.heartbeat_at == task.heartbeat_at)
            .values(state=TaskState.QUEUED if again else TaskState.FAILED,
                    error=message,
                    heartbeat_at=None, finished_at=None if again else now)
            .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        if not changed:
            continue  # its worker spoke after all, or another sweep took it
        if again:
            hand_over(app, task.id, attempts, replace=True)
            app.logger.warning("Task %s: its worker stopped during attempt %d; queued again",
                               task.id, attempts)
            done.append(Swept(task.id, "requeued"))
        else:
            app.logger.error("Task %s: its worker stopped during its last attempt (%d); "
                             "failed", task.id, attempts)
            signals.task_failed.send(app, task_id=task.id, user_id=user_id,
                                     error=message)
            done.append(Swept(task.id, "failed"))

    waiting_since = sa.func.coalesce(Task.run_after, Task.updated_at)
    lost = db.session.execute(sa.select(Task.id, Task.attempts).where(
        Task.state == TaskState.QUEUED, waiting_since < stale)).all()
    db.session.commit()
    queue = app.extensions["jobs"]
    for task_id, attempts in lost:
        try:
            waiting = queue.is_waiting(task_id, attempts)
        except Exception:  # Redis down: the next sweep will tell
            app.logger.warning("The sweep could not ask the queue about task %s", task_id,
                               exc_info=True)
            break
        if not waiting:
            hand_over(app, task_id, attempts, replace=True)
            app.logger.warning("Task %s was queued but the queue had lost it; queued again",
                               task_id)
            done.append(Swept(task_id, "resent"))
    _remove_expired_exports(app)
    return done


def _remove_expired_exports(app) -> None:
    """Housekeeping; a failure is logged and leaves the sweep's own work done."""
    from microblog.services.exports import remove_expired_exports

    try:
        remove_expired_exports()
    except Exception:
        db.session.rollback()
        app.logger.exception("Could not remove expired data exports")
