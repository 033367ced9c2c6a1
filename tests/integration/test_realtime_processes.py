"""Real time across processes, as ``make prod`` runs it: two Socket.IO processes
(gunicorn with deploy/socketio.conf.py, one worker each) on the test Redis, with a
channel of this test's own. What is written through one process, or by an RQ worker,
reaches a WebSocket held by the other.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from uuid import uuid4

import pytest
import requests

from microblog.extensions import db
from microblog.jobs.rq_queue import make_worker
from microblog.models.comment import Comment
from microblog.services import posts
from tests.realtime import Visitor

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
SECRET = "realtime-processes-secret-key-0123456789"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    """Socket.IO processes serving ``app``'s database, publishing on ``channel``."""

    def __init__(self, app, redis_url: str, tmp_path: Path) -> None:
        self.channel = f"microblog-test-{uuid4().hex}"
        self.redis_url, self.tmp_path = redis_url, tmp_path
        self.env = {**os.environ, "MICROBLOG_ENV": "development", "SECRET_KEY": SECRET,
                    "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                    "SOCKETIO_MESSAGE_QUEUE": redis_url, "SOCKETIO_CHANNEL": self.channel,
                    "SOCKETIO_THREADS": "20", "JOBS_BACKEND": "thread",
                    "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"), "PYTHONPATH": str(ROOT)}
        self.env.pop("REDIS_URL", None)
        self.running: list[subprocess.Popen] = []

    def start(self) -> str:
        port = _free_port()
        log = open(self.tmp_path / f"socketio-{port}.log", "w")  # noqa: SIM115 (kept open)
        self.running.append(subprocess.Popen(
            [str(GUNICORN), "-c", "deploy/socketio.conf.py", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(url + "/health", timeout=5).ok:
                    return url
            except requests.RequestException:
                if time.monotonic() > deadline or self.running[-1].poll() is not None:
                    raise
                time.sleep(0.1)  # asked again until it listens, up to the deadline

    def stop(self) -> None:
        for process in self.running:
            process.terminate()
        for process in self.running:
            process.wait(timeout=20)


@pytest.fixture
def processes(app, redis_url, tmp_path):
    found = Processes(app, redis_url, tmp_path)
    try:
        yield found
    finally:
        found.stop()


def test_a_comment_written_through_one_process_reaches_a_socket_on_another(
        app, processes, make_user):
    a, b = processes.start(), processes.start()
    alice, carol = make_user("alice"), make_user("carol")
    make_user("bob")
    post = posts.create_post(alice, "Across processes")

    reader = Visitor(a, socket_url=b).login("bob")  # signed in on A, socket on B
    socket = reader.socket(transports=["websocket"])
    assert socket.call("join_post", {"post_id": post.id})["ok"] is True
    writer = Visitor(a).login(carol.username)
    try:
        assert writer.submit(f"/post/{post.id}/comment", {"body": "Hello B"}).ok
        pushed = socket.wait_for("comment")
        comment = db.session.scalars(db.select(Comment)).one()
        assert pushed == {"post_id": post.id, "id": comment.id, "action": "added"}
    finally:
        reader.close()
        writer.close()


def test_an_rq_tasks_progress_reaches_its_owners_socket(app, processes, make_user,
                                                       sibling_app, tmp_path):
    from microblog import jobs
    from tests.jobs_tasks import count_to

    b = processes.start()
    bob = make_user("bob")
    queue = f"microblog-test-{uuid4().hex}"
    worker_app = sibling_app(JOBS_BACKEND="rq", REDIS_URL=processes.redis_url, JOBS_QUEUE=queue,
                             SOCKETIO_MESSAGE_QUEUE=processes.redis_url,
                             SOCKETIO_CHANNEL=processes.channel)
    owner = Visitor(b).login("bob")
    socket = owner.socket(transports=["websocket"])
    try:
        with worker_app.app_context():
            task_id = jobs.enqueue(count_to, str(tmp_path / "runs"), 4,
                                   user=db.session.get(type(bob), bob.id)).id
        # The worker: RQ's, in this process, publishing through Redis to process B.
        make_worker(worker_app, fork=False).work(burst=True)

        finished = socket.wait_for("task", lambda t: t["state"] == "finished")
        assert finished == {"id": task_id, "state": "finished", "progress": 100}
        progress = [t["progress"] for t in socket.received("task") if t["state"] == "running"]
        assert progress == [25, 50, 75, 100]
    finally:
        owner.close()
        _forget_queue(processes.redis_url, queue)


def _forget_queue(redis_url: str, queue: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter(f"rq:*{queue}*"):
            client.delete(key)
    finally:
        client.close()
