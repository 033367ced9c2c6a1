"""Background jobs (Mega-Tutorial chapter 22): work that should not hold up a request.

A service starts one with :func:`enqueue`; the function runs later, in a worker::

    @jobs.task
    def deliver_email(subject, recipients, text, html, sender): ...

    jobs.enqueue(deliver_email, subject, recipients, text, html, sender,
                 description=_("Email to %(address)s", address=...))

``enqueue`` writes a :class:`~microblog.models.task.Task` row with an id chosen here,
commits it, and only then hands the id to the queue, so a worker that starts at once
finds the row. The row stays the truth about the job (state, progress, attempts,
error); the queue only carries ids. Which queue is the app's setting
(``JOBS_BACKEND``, read once in :func:`init_app`):

- ``thread``, the default without Redis: a worker thread in this process
  (:mod:`microblog.jobs.thread_queue`);
- ``rq``, the default with ``REDIS_URL``: RQ on Redis, run by ``flask jobs worker``
  processes (:mod:`microblog.jobs.rq_queue`).

Both run the same :func:`~microblog.jobs.runner.run_task`, with the same retries
(:mod:`~microblog.jobs.retries`) and the same sweep for dead workers
(:mod:`~microblog.jobs.sweep`). A task reports progress with :func:`set_progress`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from uuid import uuid4

from flask import Flask, current_app

from microblog.extensions import db
from microblog.jobs.functions import options_of, task
from microblog.jobs.retries import TryAgain
from microblog.jobs.runner import current_task_id, set_progress
from microblog.jobs.thread_queue import wait_until_idle
from microblog.models.task import TASK_DESCRIPTION_MAX_LENGTH, Task, TaskState

__all__ = ["TryAgain", "current_task_id", "enqueue", "hand_over", "init_app", "queue_of",
           "set_progress", "task", "wait_until_idle"]

BACKENDS = ("thread", "rq")


def init_app(app: Flask) -> None:
    """Choose the app's queue (``JOBS_BACKEND``) and add the ``flask jobs`` commands."""
    from microblog.jobs.cli import jobs_cli

    backend = app.config["JOBS_BACKEND"]
    if backend == "rq":
        if not app.config.get("REDIS_URL"):
            raise RuntimeError("JOBS_BACKEND=rq needs REDIS_URL (the Redis RQ queues jobs in).")
        from microblog.jobs.rq_queue import RQQueue

        app.extensions["jobs"] = RQQueue(app)
    elif backend == "thread":
        from microblog.jobs.thread_queue import ThreadQueue

        queue = app.extensions["jobs"] = ThreadQueue(app)
        # Started by the first request too, not only the first task: its first sweep
        # runs what a previous run of the process left queued.
        app.before_request(queue.start)
    else:
        raise RuntimeError(f"JOBS_BACKEND={backend!r} is not one of {', '.join(BACKENDS)}.")
    app.cli.add_command(jobs_cli)


def queue_of(app: Flask | None = None):
    """The app's queue: a ThreadQueue or an RQQueue."""
    return (app or current_app).extensions["jobs"]


def enqueue(function: Callable[..., Any], *args: Any, user=None,
            description: str | None = None) -> Task:
    """Run the task ``function(*args)`` in the background, for ``user`` (None: the site's).

    The arguments must be JSON (they are kept in the row); ``description`` says what
    it does, for its owner and the admins. The row is committed here, and the
    session's other pending changes with it: call this when the change the task
    follows is ready to commit (usually after it was). If the queue cannot be
    reached, the row stays queued and the next sweep hands it on: nothing is lost.
    """
    options = options_of(function)
    arguments = list(args)
    json.dumps(arguments)  # a TypeError here, in the caller, rather than in the worker
    task_id = str(uuid4())
    row = Task(id=task_id, name=options.name, user_id=user.id if user is not None else None,
               description=(description or options.name)[:TASK_DESCRIPTION_MAX_LENGTH],
               args=arguments, state=TaskState.QUEUED, attempts=0,
               max_attempts=options.max_attempts)
    db.session.add(row)
    db.session.commit()
    hand_over(current_app._get_current_object(), task_id, 0)
    return row


def hand_over(app: Flask, task_id: str, attempts: int, delay: float = 0,
              replace: bool = False) -> bool:
    """Give the queue a task whose row is committed; False (logged) if it could not."""
    try:
        queue_of(app).hand_over(task_id, attempts, delay, replace)
    except Exception:
        app.logger.warning("Could not queue task %s; the next sweep will", task_id,
                           exc_info=True)
        return False
    return True
