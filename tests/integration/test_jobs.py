"""The job layer, the same tests on both queues: the in-process thread and RQ on Redis.

``site`` is an app with one of the two backends. ``site.run()`` lets its workers do
what is due: the thread backend's own thread (waited for), or a real RQ worker
(``SimpleWorker`` in burst mode, in this process) on a queue of the test's own on the
test Redis. The rows are read back through the test's session, as a page would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
import redis
import sqlalchemy as sa
from rq.registry import ScheduledJobRegistry

from microblog import jobs
from microblog.extensions import db
from microblog.jobs import sweep
from microblog.jobs.functions import resolve
from microblog.jobs.retries import is_transient, retry_delay
from microblog.jobs.rq_queue import job_id_of, make_worker
from microblog.jobs.sweep import Swept
from microblog.models.base import utcnow
from microblog.models.task import Task, TaskState
from tests.conftest import PRODUCTION_SECRET_KEY
from tests.jobs_tasks import broken, count_to, flaky, hang_once, not_a_task, runs

ROOT = Path(__file__).resolve().parents[2]


def wait_until(condition, timeout: float = 20, every: float = 0.05):
    """``condition()``'s first true value, asked again and again for ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(every)
    raise AssertionError(f"still not true after {timeout} s: {condition}")


class Site:
    """An app with one backend, and what the tests do with it."""

    def __init__(self, app, kind: str):
        self.app, self.kind = app, kind

    @property
    def queue(self):
        return jobs.queue_of(self.app)

    def enqueue(self, function, *args, **options) -> str:
        with self.app.app_context():
            return jobs.enqueue(function, *args, **options).id

    def run(self) -> None:
        """Let the workers do everything that is due now."""
        if self.kind == "thread":
            assert self.queue.wait_until_idle(20)
        else:
            make_worker(self.app, fork=False).work(burst=True, with_scheduler=True)

    def sweep(self) -> list[Swept]:
        with self.app.app_context():
            return sweep.sweep()

    @staticmethod
    def task(task_id: str) -> Task:
        db.session.expire_all()
        return db.session.get(Task, task_id)


@pytest.fixture(params=["thread", "rq"])
def site(request, app):
    if request.param == "thread":
        yield Site(app, "thread")
        assert jobs.queue_of(app).wait_until_idle(20)  # nothing of this test runs on
        return
    redis_url = request.getfixturevalue("redis_url")
    queue_name = f"microblog-test-{uuid4().hex}"
    rq_app = request.getfixturevalue("sibling_app")(
        JOBS_BACKEND="rq", REDIS_URL=redis_url, JOBS_QUEUE=queue_name)
    yield Site(rq_app, "rq")
    _forget_queue(redis_url, queue_name, db.session.scalars(sa.select(Task.id)).all())


def _forget_queue(redis_url: str, queue_name: str, task_ids: list[str]) -> None:
    """Delete this test's keys only: other test runs may share the server."""
    client = redis.Redis.from_url(redis_url)
    try:
        for pattern in [f"rq:*{queue_name}*", *(f"rq:*{task_id}*" for task_id in task_ids)]:
            for key in client.scan_iter(pattern):
                client.delete(key)
        for member in client.smembers("rq:workers"):
            if queue_name.encode() in member:
                client.srem("rq:workers", member)
    finally:
        client.close()


# --- running a task ---------------------------------------------------------------------


def test_a_task_runs_and_its_progress_is_read_from_the_database(site, tmp_path):
    log = tmp_path / "runs"
    task_id = site.enqueue(count_to, str(log), 10, description="Counting to ten")

    site.run()

    task = site.task(task_id)
    assert (task.state, task.progress, task.complete, task.attempts) == (
        TaskState.FINISHED, 100, True, 1)
    assert task.description == "Counting to ten"
    assert task.finished_at >= task.started_at
    assert task.args is None  # a finished task keeps no arguments
    # While it ran, its progress was in the database for anyone to read.
    assert runs(log) == ["start", "progress 50"]


def test_enqueue_commits_the_row_before_the_queue_sees_the_id(site, tmp_path, monkeypatch):
    seen = []
    hand_over = site.queue.hand_over

    def look_then_hand_over(task_id, *args):
        with site.app.app_context(), db.engine.connect() as other_connection:
            seen.append(other_connection.scalar(
                sa.select(Task.state).where(Task.id == task_id)))
        hand_over(task_id, *args)

    monkeypatch.setattr(site.queue, "hand_over", look_then_hand_over)
    task_id = site.enqueue(flaky, str(tmp_path / "runs"), 0)

    assert seen == ["queued"]  # another connection (a worker) already found the row
    site.run()
    assert site.task(task_id).state is TaskState.FINISHED


def test_a_task_is_a_plain_function(app, tmp_path):
    log = tmp_path / "runs"
    count_to(str(log), 4)  # no queue, no row: progress goes nowhere
    assert runs(log) == ["start", "progress None"]
    with pytest.raises(ConnectionRefusedError):
        flaky(str(tmp_path / "other"), 1)


def test_a_task_handed_over_twice_runs_once(site, tmp_path):
    log = tmp_path / "runs"
    task_id = site.enqueue(flaky, str(log), 0)
    if site.kind == "rq":  # the same message twice would be one RQ job: send a second id
        site.queue.hand_over(task_id, 5)
    else:
        site.queue.hand_over(task_id, 0)

    site.run()

    assert runs(log) == ["run"]
    assert site.task(task_id).attempts == 1


def test_only_tasks_can_be_queued(app):
    with pytest.raises(TypeError, match="not a task"):
        jobs.enqueue(not_a_task)
    with pytest.raises(TypeError):
        jobs.enqueue(flaky, object(), 1)  # not JSON
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 0
    with pytest.raises(LookupError):
        resolve("tests.jobs_tasks:not_a_task")


# --- retries ------------------------------------------------------------------------------


def test_a_transient_error_is_tried_again_until_it_works(site, tmp_path):
    log = tmp_path / "runs"
    task_id = site.enqueue(flaky, str(log), 2)

    site.run()

    task = site.task(task_id)
    assert (task.state, task.attempts, task.error) == (TaskState.FINISHED, 3, None)
    assert runs(log) == ["run"] * 3


def test_transient_errors_fail_the_task_when_its_attempts_run_out(site, tmp_path):
    log = tmp_path / "runs"
    task_id = site.enqueue(flaky, str(log), 99)

    site.run()

    task = site.task(task_id)
    assert (task.state, task.attempts, task.max_attempts) == (TaskState.FAILED, 4, 4)
    assert task.error == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert task.args == [str(log), 99]  # kept, so an administrator can retry it
    assert len(runs(log)) == 4


def test_a_permanent_error_fails_the_task_at_once(site, tmp_path):
    log = tmp_path / "runs"
    task_id = site.enqueue(broken, str(log))

    site.run()

    task = site.task(task_id)
    assert (task.state, task.attempts) == (TaskState.FAILED, 1)
    assert task.error == "ValueError: this input can never work"
    assert runs(log) == ["run"]


def test_a_retry_waits_for_its_backoff(site, tmp_path):
    site.app.config["JOBS_RETRY_DELAYS"] = [30, 120]
    log = tmp_path / "runs"
    task_id = site.enqueue(flaky, str(log), 1)

    site.run()

    task = site.task(task_id)
    assert (task.state, task.attempts) == (TaskState.QUEUED, 1)
    assert task.error == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert timedelta(seconds=25) < task.run_after - utcnow() <= timedelta(seconds=30)
    assert runs(log) == ["run"]  # not run again yet
    with site.app.app_context():
        assert site.queue.is_waiting(task_id, 1)
    if site.kind == "rq":  # RQ's scheduler holds it until then
        registry = ScheduledJobRegistry(queue=site.queue.queue)
        assert registry.get_job_ids() == [job_id_of(task_id, 1)]


def test_backoff_grows_and_only_passing_errors_are_retried():
    config = {"JOBS_RETRY_DELAYS": [10, 60, 300]}
    assert [retry_delay(config, attempt) for attempt in (1, 2, 3, 4, 9)] == [
        10, 60, 300, 300, 300]
    import smtplib

    assert is_transient(ConnectionRefusedError())
    assert is_transient(TimeoutError())
    assert is_transient(smtplib.SMTPServerDisconnected())
    assert is_transient(smtplib.SMTPResponseException(421, b"try later"))
    assert is_transient(jobs.TryAgain())
    assert not is_transient(smtplib.SMTPResponseException(550, b"no such mailbox"))
    assert not is_transient(smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"no")}))
    assert not is_transient(ValueError())


# --- nothing stays stuck ------------------------------------------------------------------


def _subprocess_env(site, tmp_path) -> dict[str, str]:
    env = {**os.environ, "MICROBLOG_ENV": "production", "SECRET_KEY": PRODUCTION_SECRET_KEY,
           "DATABASE_URL": site.app.config["SQLALCHEMY_DATABASE_URI"],
           "INSTANCE_PATH": str(tmp_path / "instance"), "LOG_TO_STDOUT": "true",
           "JOBS_BACKEND": site.kind, "JOBS_HEARTBEAT_SECONDS": "0.2",
           "PYTHONPATH": str(ROOT), "FLASK_APP": "microblog"}
    env.pop("REDIS_URL", None)
    if site.kind == "rq":
        env.update(REDIS_URL=site.app.config["REDIS_URL"], JOBS_QUEUE=site.app.config["JOBS_QUEUE"])
    return env


# The thread backend's worker is the web process: this one queues the task itself.
THREAD_PROCESS = """
import sys, threading
from microblog import create_app, jobs
from tests.jobs_tasks import hang_once
app = create_app()
with app.app_context():
    jobs.enqueue(hang_once, sys.argv[1])
threading.Event().wait()
"""


def test_a_task_whose_worker_was_killed_is_queued_again_and_finished(site, tmp_path):
    log = tmp_path / "runs"
    if site.kind == "rq":
        task_id = site.enqueue(hang_once, str(log))
        command = [sys.executable, "-m", "flask", "jobs", "worker", "--name",
                   f"{site.app.config['JOBS_QUEUE']}-doomed"]
    else:
        command = [sys.executable, "-c", THREAD_PROCESS, str(log)]
    with open(tmp_path / "worker.log", "w") as output:
        worker = subprocess.Popen(command, env=_subprocess_env(site, tmp_path), cwd=ROOT,
                                  stdout=output, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    horse = None
    try:
        horse = int(wait_until(lambda: runs(log))[0].split()[1])
        if site.kind == "thread":
            task_id = db.session.scalar(sa.select(Task.id))
        assert wait_until(lambda: site.task(task_id).state is TaskState.RUNNING)
    finally:
        # The process running the task (RQ forks one for each job, in a group of its
        # own), then the worker and what it started (RQ's scheduler).
        if horse is not None and horse != worker.pid:
            os.kill(horse, signal.SIGKILL)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)

    site.app.config["JOBS_STALE_SECONDS"] = 1
    assert site.sweep() == []  # not yet: its last heartbeat is too recent
    assert wait_until(site.sweep) == [Swept(task_id, "requeued")]
    if site.kind == "rq":  # (the thread backend has run it already)
        task = site.task(task_id)
        assert (task.state, task.attempts) == (TaskState.QUEUED, 1)
        assert task.error.startswith("The worker running attempt 1 stopped")

    site.run()

    task = site.task(task_id)
    assert (task.state, task.attempts) == (TaskState.FINISHED, 2)
    assert len(runs(log)) == 2


def _stale_running_task(attempts: int, max_attempts: int) -> str:
    long_ago = utcnow() - timedelta(minutes=10)
    task = Task(id=str(uuid4()), name="tests.jobs_tasks:flaky", description="stuck",
                args=["unused", 0], state=TaskState.RUNNING, attempts=attempts,
                max_attempts=max_attempts, started_at=long_ago, heartbeat_at=long_ago)
    db.session.add(task)
    db.session.commit()
    return task.id


def test_a_dead_task_with_no_attempts_left_is_failed(site):
    task_id = _stale_running_task(attempts=4, max_attempts=4)
    alive_id = _stale_running_task(attempts=1, max_attempts=4)
    db.session.execute(sa.update(Task).where(Task.id == alive_id).values(heartbeat_at=utcnow()))
    db.session.commit()

    assert site.sweep() == [Swept(task_id, "failed")]

    task = site.task(task_id)
    assert task.state is TaskState.FAILED
    assert task.error.startswith("The worker running attempt 4 stopped")
    assert site.task(alive_id).state is TaskState.RUNNING  # its heartbeat is recent
    assert site.sweep() == []  # once


def test_a_task_whose_message_was_lost_is_sent_again(site, tmp_path, monkeypatch):
    def queue_is_down(*args):
        raise redis.ConnectionError("Redis is down")

    monkeypatch.setattr(site.queue, "hand_over", queue_is_down)
    log = tmp_path / "runs"
    task_id = site.enqueue(flaky, str(log), 0)  # no error for the caller
    monkeypatch.undo()
    site.run()
    assert site.task(task_id).state is TaskState.QUEUED and runs(log) == []

    assert site.sweep() == []  # queued a moment ago: it may just be waiting its turn
    db.session.execute(sa.update(Task).values(updated_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    assert site.sweep() == [Swept(task_id, "resent")]
    site.run()

    assert site.task(task_id).state is TaskState.FINISHED
    assert runs(log) == ["run"]


def test_a_queued_task_the_queue_still_holds_is_left_alone(site, tmp_path):
    site.app.config["JOBS_RETRY_DELAYS"] = [600]
    task_id = site.enqueue(flaky, str(tmp_path / "runs"), 1)
    site.run()  # failed once; waits ten minutes for its retry
    db.session.execute(sa.update(Task).values(run_after=utcnow() - timedelta(minutes=5)))
    db.session.commit()

    assert site.sweep() == []  # the queue has it: not sent twice
    assert site.task(task_id).state is TaskState.QUEUED


def test_the_thread_worker_sweeps_when_it_starts(app, sibling_app, tmp_path):
    task_id = _stale_running_task(attempts=1, max_attempts=4)
    db.session.execute(sa.update(Task).values(args=[str(tmp_path / "runs"), 0]))
    db.session.commit()
    restarted = sibling_app(JOBS_SWEEP_SECONDS=60)

    restarted.test_client().get("/health")  # the first request starts its worker
    assert jobs.queue_of(restarted).wait_until_idle(20)

    task = Site.task(task_id)
    assert (task.state, task.attempts) == (TaskState.FINISHED, 2)


# --- emails go through the job layer ------------------------------------------------------


def test_emails_are_sent_by_the_worker(site, make_user, smtp_server, sibling_app):
    make_user("susan", "susan@example.com")
    if site.kind == "rq":
        web = sibling_app(JOBS_BACKEND="rq", REDIS_URL=site.app.config["REDIS_URL"],
                          JOBS_QUEUE=site.app.config["JOBS_QUEUE"], MAIL_SERVER="127.0.0.1",
                          MAIL_PORT=smtp_server.port)
    else:
        web = sibling_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    browser = web.test_client()

    assert browser.submit("/auth/reset_password_request",
                          {"email": "susan@example.com"}).status_code == 302

    task = db.session.scalars(sa.select(Task)).one()
    assert task.name == "microblog.mailer:deliver_email"
    assert task.description == "Email “Reset your password” to susan@example.com"
    if site.kind == "rq":  # the web process only queued it
        assert (task.state, smtp_server.inbox.messages) == (TaskState.QUEUED, [])
        Site(web, "rq").run()
    assert smtp_server.inbox.next_message()["Subject"] == "Reset your password"
    assert wait_until(lambda: Site.task(task.id).state is TaskState.FINISHED)
