"""Production: RQ 2 on Redis. Web processes only put task ids on a queue; workers run them.

RQ keeps a list in Redis per queue (``JOBS_QUEUE``). ``Queue.enqueue`` pushes a job
onto it: a function to call (always :func:`~microblog.jobs.runner.run_task`) and its
arguments (the task's id). ``flask jobs worker`` runs a :class:`Worker`: it waits on
the list, and for each job forks a child ("work horse") that runs it, so whatever a
task leaks or crashes on dies with the child. Start as many workers as the work
needs, on any machine that reaches Redis and the database; each job goes to one.

The worker builds the app once (the ``flask`` command does) and runs each job in an
app context. It also sweeps (``microblog/jobs/sweep.py``) when it starts and every
``JOBS_SWEEP_SECONDS``, RQ's "maintenance" turn, and runs RQ's scheduler, which
moves a retry waiting for its delay (``enqueue_in``) onto the queue when it is due.

An RQ job's id is the task's id and the attempts made so far, ``<uuid>-<n>``: each
run its own, so a job RQ still holds for a dead worker is never confused with the
one that replaces it. Its result is not kept (``result_ttl=0``): the row has it.
"""

from __future__ import annotations

import contextlib
import os
from datetime import timedelta

import redis
from flask import Flask
from rq import Queue, SimpleWorker
from rq import Worker as ForkingWorker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from microblog.extensions import db
from microblog.redis_client import client_options

WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED}


class RQQueue:
    """Hands task ids to RQ workers through Redis at ``REDIS_URL``."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._queue: Queue | None = None

    @property
    def queue(self) -> Queue:
        if self._queue is None:
            # The app's short timeouts: a web request that queues an email while
            # Redis is down waits a quarter of a second, not minutes.
            connection = redis.Redis.from_url(self.app.config["REDIS_URL"],
                                              **client_options(self.app.config))
            self._queue = Queue(self.app.config["JOBS_QUEUE"], connection=connection)
        return self._queue

    def hand_over(self, task_id: str, attempts: int, delay: float = 0,
                  replace: bool = False) -> None:
        from microblog.jobs.runner import run_task

        job_id = job_id_of(task_id, attempts)
        if replace:  # what RQ still holds under this id (a job that failed outside the task)
            with contextlib.suppress(NoSuchJobError):
                Job.fetch(job_id, connection=self.queue.connection).delete()
        options = {"job_id": job_id, "result_ttl": 0,
                   "job_timeout": self.app.config["JOBS_TIMEOUT"], "description": task_id}
        if delay > 0:
            self.queue.enqueue_in(timedelta(seconds=delay), run_task, task_id, **options)
        else:
            self.queue.enqueue(run_task, task_id, **options)

    def is_waiting(self, task_id: str, attempts: int) -> bool:
        try:
            job = Job.fetch(job_id_of(task_id, attempts), connection=self.queue.connection)
        except NoSuchJobError:
            return False
        return job.get_status(refresh=False) in WAITING


def job_id_of(task_id: str, attempts: int) -> str:
    return f"{task_id}-{attempts}"


class _AppWorker:
    """What our workers add to RQ's: the app's context around each job, and the sweep."""

    app: Flask
    built_in_pid: int

    def perform_job(self, job, queue):
        with self.app.app_context():
            if os.getpid() != self.built_in_pid:
                # A forked work horse: the parent's pooled connections are the parent's.
                db.engine.dispose(close=False)
            return super().perform_job(job, queue)

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        from microblog.jobs import sweep

        with self.app.app_context():
            try:
                sweep.sweep()
            except Exception:
                self.app.logger.exception("The jobs sweep failed")


class Worker(_AppWorker, ForkingWorker):
    """RQ's forking worker, for `flask jobs worker`."""


class InProcessWorker(_AppWorker, SimpleWorker):
    """Runs jobs in its own process, without forking (`flask jobs worker --no-fork`, tests)."""


def make_worker(app: Flask, *, fork: bool = True, name: str | None = None):
    """A worker for the app's queue, with a Redis connection of its own.

    Not the app's short-timeout client: a worker blocks on the queue for a minute
    at a time, and should ride out a Redis restart (redis-py's retries) rather
    than quit on the first dropped connection.
    """
    every = app.config["JOBS_SWEEP_SECONDS"] or 600
    worker = (Worker if fork else InProcessWorker)(
        [app.config["JOBS_QUEUE"]], name=name,
        connection=redis.Redis.from_url(app.config["REDIS_URL"]),
        maintenance_interval=every,
        worker_ttl=every + 15,  # an idle worker wakes (and sweeps) every `every` seconds
    )
    worker.app = app
    worker.built_in_pid = os.getpid()
    return worker
