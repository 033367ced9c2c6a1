"""Data export: what the ZIP holds, who may download it, one at a time, a week's life.

The export runs the way it runs for a person: started from the settings page, built
by a worker (the in-process thread, or a real RQ worker on the test Redis: the same
tests on both), announced by email, downloaded through the page's link.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path
from uuid import uuid4

import pytest
import sqlalchemy as sa

from microblog import jobs
from microblog.extensions import db
from microblog.jobs import sweep
from microblog.jobs.rq_queue import make_worker
from microblog.models.base import utcnow
from microblog.models.block import blocks
from microblog.models.message import Conversation, Message
from microblog.models.post import Post
from microblog.models.role import Role
from microblog.models.task import Task, TaskState
from microblog.services import blocks as block_service
from microblog.services import categories, comments, exports, follows, likes, posts
from tests.conftest import Client
from tests.integration.test_jobs import _forget_queue

FILES = {"profile.json", "posts.json", "comments.json", "likes.json", "following.json",
         "followers.json", "blocks.json", "messages.json"}


class Site:
    """An app with one jobs backend, and a browser on it."""

    def __init__(self, app, kind: str):
        self.app, self.kind = app, kind
        app.test_client_class = Client
        self.client = app.test_client()

    def run(self) -> None:
        """Let the workers do everything that is due now (the export, then its email)."""
        if self.kind == "thread":
            assert jobs.queue_of(self.app).wait_until_idle(30)
        else:
            make_worker(self.app, fork=False).work(burst=True, with_scheduler=True)


@pytest.fixture(params=["thread", "rq"])
def site(request, app, sibling_app):
    if request.param == "thread":
        yield Site(app, "thread")
        assert jobs.queue_of(app).wait_until_idle(20)
        return
    redis_url = request.getfixturevalue("redis_url")
    queue_name = f"microblog-test-{uuid4().hex}"
    yield Site(sibling_app(JOBS_BACKEND="rq", REDIS_URL=redis_url, JOBS_QUEUE=queue_name), "rq")
    _forget_queue(redis_url, queue_name, db.session.scalars(sa.select(Task.id)).all())


@pytest.fixture(autouse=True)
def empty_export_folder(app):
    """The folder is the run's (like the outbox): each test starts with it empty."""
    import shutil

    shutil.rmtree(app.config["EXPORT_DIR"], ignore_errors=True)


@pytest.fixture
def susan(make_user):
    return make_user("susan", about_me="Soil and seeds")


@pytest.fixture
def world(susan, make_user):
    """susan's data, and other people's around it."""
    ada = make_user("ada", role=Role.ADMIN)
    john, mary = make_user("john"), make_user("mary")
    make_user("bob")
    garden = categories.create(ada, "Garden")
    status = posts.create_post(susan, "Planting #beans today")
    article = posts.create_article(susan, "Soil notes", "Compost *first*.",
                                   category_id=garden.id, tags="soil, compost")
    draft = posts.create_article(susan, "Seed list", "Beans, peas", publish=False)
    johns = posts.create_post(john, "Hello from john")
    comments.add(susan, johns.id, "Welcome, **john**!")
    comments.add(john, article.id, "Great notes")  # on her post, but not hers
    likes.like(susan, johns.id)
    likes.like(mary, article.id)  # a like of hers, not by her
    follows.follow(susan, "john")
    follows.follow(mary, "susan")
    follows.follow(john, "susan")
    block_service.block(susan, "bob")
    _message(susan, john, "Hi john")
    _message(john, susan, "Hi *susan*")
    _message(john, mary, "not susan's business")
    return {"status": status, "article": article, "draft": draft, "johns": johns}


def _message(sender, recipient, body: str) -> Message:
    """A message inserted directly (the messages service is written elsewhere)."""
    low, high = sorted((sender.id, recipient.id))
    conversation = db.session.scalar(sa.select(Conversation).where(
        Conversation.low_user_id == low, Conversation.high_user_id == high))
    if conversation is None:
        conversation = Conversation(low_user_id=low, high_user_id=high)
        db.session.add(conversation)
        db.session.flush()
    message = Message(conversation_id=conversation.id, sender_id=sender.id,
                      recipient_id=recipient.id, body=body, body_html=f"<p>{body}</p>")
    db.session.add(message)
    db.session.commit()
    return message


def start(client) -> str:
    """Press "Export my data" and return the new task's id."""
    response = client.submit("/settings/export")
    assert response.status_code == 302
    return _latest_task_id()


def _latest_task_id() -> str:
    db.session.expire_all()
    return db.session.scalar(sa.select(Task.id).where(Task.name == exports.EXPORT_TASK)
                             .order_by(Task.created_at.desc()).limit(1))


def export_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Task)
                             .where(Task.name == exports.EXPORT_TASK))


def download(client, task_id: str):
    return client.get(f"/settings/export/{task_id}/download")


def unzip(data: bytes) -> dict[str, object]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: json.loads(archive.read(name)) for name in archive.namelist()
                if name.endswith(".json")}


def outbox(app) -> list:
    return [message_from_bytes(path.read_bytes())
            for path in sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))]


def text_of(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


# --- what the ZIP holds -------------------------------------------------------------------


def test_the_export_holds_everything_of_hers_and_nothing_of_others(site, world, susan):
    site.client.login("susan")
    task_id = start(site.client)
    site.run()

    response = download(site.client, task_id)
    assert response.status_code == 200
    files = unzip(response.data)
    assert set(files) == FILES

    profile = files["profile.json"]
    assert (profile["username"], profile["email"], profile["about_me"]) == (
        "susan", "susan@example.com", "Soil and seeds")
    assert (profile["follower_count"], profile["following_count"]) == (2, 1)

    by_title = {post["title"]: post for post in files["posts.json"]}
    assert len(files["posts.json"]) == 3  # the draft too; nobody else's
    status = by_title[None]
    assert (status["kind"], status["status"], status["body_markdown"], status["tags"]) == (
        "status", "published", "Planting #beans today", ["beans"])
    article = by_title["Soil notes"]
    stored = world["article"]
    db.session.refresh(stored)
    assert article == {
        "id": stored.id, "kind": "article", "status": "published", "title": "Soil notes",
        "slug": "soil-notes", "permalink": f"http://127.0.0.1:5000/post/{stored.id}/soil-notes",
        "category": "Garden", "tags": ["compost", "soil"], "body_markdown": "Compost *first*.",
        "body_html": stored.body_html, "created_at": stored.created_at.isoformat(),
        "published_at": stored.published_at.isoformat(), "edited_at": None,
        "updated_at": stored.updated_at.isoformat(), "like_count": 1, "comment_count": 1,
    }
    assert "<em>first</em>" in article["body_html"]
    draft = by_title["Seed list"]
    assert (draft["status"], draft["published_at"]) == ("draft", None)

    johns = world["johns"]
    [comment] = files["comments.json"]
    assert comment["body_markdown"] == "Welcome, **john**!"
    assert "<strong>john</strong>" in comment["body_html"]
    assert comment["post"] == {"id": johns.id, "title": None, "author": "john",
                               "permalink": f"http://127.0.0.1:5000/post/{johns.id}"}
    [like] = files["likes.json"]
    assert like["post"]["id"] == johns.id and like["post"]["author"] == "john"

    assert [p["username"] for p in files["following.json"]] == ["john"]
    assert [p["username"] for p in files["followers.json"]] == ["john", "mary"]
    assert files["followers.json"][0]["profile"] == "http://127.0.0.1:5000/user/john"
    assert [b["username"] for b in files["blocks.json"]] == ["bob"]
    blocked_at = db.session.scalar(sa.select(blocks.c.created_at))
    assert files["blocks.json"][0]["blocked_at"] == blocked_at.isoformat()

    assert [(m["direction"], m["from"], m["to"], m["body_markdown"])
            for m in files["messages.json"]] == [
        ("sent", "susan", "john", "Hi john"), ("received", "john", "susan", "Hi *susan*")]
    assert files["messages.json"][1]["body_html"] == "<p>Hi *susan*</p>"


def test_an_account_with_nothing_exports_empty_lists(site, susan):
    site.client.login("susan")
    task_id = start(site.client)
    site.run()
    files = unzip(download(site.client, task_id).data)
    assert set(files) == FILES
    assert all(files[name] == [] for name in FILES - {"profile.json"})


def test_the_download_is_a_private_attachment_named_after_her(site, susan):
    site.client.login("susan")
    task_id = start(site.client)
    site.run()
    response = download(site.client, task_id)
    today = db.session.get(Task, task_id).finished_at.strftime("%Y-%m-%d")
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename=microblog-susan-{today}.zip')
    assert response.headers["Cache-Control"] == "private, no-store"
    assert int(response.headers["Content-Length"]) == len(response.data) > 0


def test_the_task_reports_progress_and_finishes(site, world, susan, monkeypatch):
    """Rows done over rows to do, written while the export reads: its batches must not
    keep the database locked against the progress writes (SQLite does, for as long as
    one statement is unfinished)."""
    monkeypatch.setattr(exports, "BATCH_SIZE", 4)
    db.session.execute(sa.insert(Post), [
        {"user_id": susan.id, "body": f"Post {n}", "body_html": f"<p>Post {n}</p>"}
        for n in range(30)])
    db.session.commit()
    seen = []

    def record(sender, **details):
        seen.append(details["progress"])

    jobs.signals.task_progress.connect(record)
    try:
        site.client.login("susan")
        task_id = start(site.client)
        site.run()
    finally:
        jobs.signals.task_progress.disconnect(record)
    task = db.session.get(Task, task_id)
    assert (task.state, task.progress, task.description) == (
        TaskState.FINISHED, 100, "Exporting your data")
    assert len(seen) >= 20 and seen == sorted(seen) and max(seen) < 100
    document = site.client.get(f"/tasks/{task_id}").get_json()
    assert (document["state"], document["progress"]) == ("finished", 100)


# --- the email ----------------------------------------------------------------------------


def test_an_email_carries_the_link_and_the_expiry_date(site, susan):
    site.client.login("susan")
    task_id = start(site.client)
    site.run()
    link = f"http://127.0.0.1:5000/settings/export/{task_id}/download"
    [message] = [m for m in outbox(site.app) if link in text_of(m)]
    assert (message["To"], message["Subject"]) == (
        "susan@example.com", "Your data export is ready")
    text = text_of(message)
    expires = (db.session.get(Task, task_id).finished_at + timedelta(days=7))
    assert f"until {expires:%b} {expires.day}, {expires:%Y}" in text  # "Dec 14, 2026"
    assert site.client.get(link.removeprefix("http://127.0.0.1:5000")).status_code == 200


# --- who may download ---------------------------------------------------------------------


def test_only_the_owner_can_download(app, client, susan, make_user):
    make_user("john")
    client.login("susan")
    task_id = start(client)
    assert jobs.wait_until_idle(30)
    assert download(client, task_id).status_code == 200

    client.logout()
    anonymous = download(client, task_id)
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]

    client.login("john")
    refused = download(client, task_id)
    assert refused.status_code == 404
    assert b"PK" not in refused.data[:2]
    assert client.get(f"/tasks/{task_id}").status_code == 404


def test_another_tasks_id_or_nonsense_is_not_an_export(app, client, susan):
    from microblog.mailer import send_email

    client.login("susan")
    email_task = send_email("Hi", ["susan@example.com"], "text")
    email_task.user_id = susan.id
    db.session.commit()
    assert jobs.wait_until_idle(10)
    assert download(client, email_task.id).status_code == 404
    assert download(client, "not-a-uuid").status_code == 404
    assert download(client, "../../secret_key").status_code == 404


# --- one at a time ------------------------------------------------------------------------


def test_a_second_export_while_one_runs_is_refused_with_a_message(app, client, susan):
    queue = jobs.queue_of(app)
    client.login("susan")
    paused = []
    original = queue.hand_over
    queue.hand_over = lambda task_id, *args: paused.append(task_id)  # the worker is busy
    try:
        first = start(client)
        page = client.get("/settings/export").get_data(as_text=True)
        assert 'data-task-url="/tasks/' + first in page
        assert "Export my data</button>" not in page  # no button while it runs

        again = client.submit("/settings/export")
        assert again.status_code == 422
        assert "already in progress" in again.get_data(as_text=True)
        assert export_count() == 1
    finally:
        queue.hand_over = original
    queue.hand_over(first, 0)
    assert jobs.wait_until_idle(30)

    second = start(client)  # once it is done, a new one may start
    assert second != first
    assert jobs.wait_until_idle(30)


def test_the_start_button_needs_the_csrf_token(app, client, susan):
    client.login("susan")
    response = client.post("/settings/export")
    assert response.status_code == 400
    assert export_count() == 0


def test_the_page_needs_a_login(client):
    response = client.get("/settings/export")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- the page -----------------------------------------------------------------------------


def test_the_page_explains_then_offers_the_download_until_it_expires(app, client, susan):
    client.login("susan")
    page = client.get("/settings/export").get_data(as_text=True)
    assert "messages.json" in page and "Export my data</button>" in page
    assert "Export data</a>" in client.get("/settings").get_data(as_text=True)  # the nav

    task_id = start(client)
    assert jobs.wait_until_idle(30)
    page = client.get("/settings/export").get_data(as_text=True)
    assert f'href="/settings/export/{task_id}/download"' in page
    assert "available until" in page and 'value="100"' in page
    assert "Export my data</button>" in page  # a new one can be made any time

    _age(task_id, days=8)
    page = client.get("/settings/export").get_data(as_text=True)
    assert f"/settings/export/{task_id}/download" not in page
    assert "Your last export has expired." in page


def test_a_failed_export_shows_the_tasks_words(app, client, susan, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(exports, "write_export", broken)
    client.login("susan")
    task_id = start(client)
    assert jobs.wait_until_idle(30)
    assert db.session.get(Task, task_id).state is TaskState.FAILED
    page = client.get("/settings/export").get_data(as_text=True)
    assert "Your last export failed." in page
    assert "An administrator can try it again." in page
    assert "the disk is full" in page
    folder = Path(app.config["EXPORT_DIR"])
    assert not (folder / f"{task_id}.zip").exists()
    assert not list(folder.glob(".export-*"))  # and no half-written file


# --- expiry and cleanup -------------------------------------------------------------------


def _age(task_id: str, days: int) -> None:
    db.session.execute(sa.update(Task).where(Task.id == task_id).values(
        finished_at=utcnow() - timedelta(days=days)))
    db.session.commit()


def _file(app, task_id: str) -> Path:
    return Path(app.config["EXPORT_DIR"]) / f"{task_id}.zip"


def test_an_expired_link_is_a_clear_404_and_the_sweep_deletes_the_file(app, client, susan):
    client.login("susan")
    task_id = start(client)
    assert jobs.wait_until_idle(30)
    _age(task_id, days=6)
    sweep.sweep()
    assert _file(app, task_id).exists()  # six days old: kept
    assert download(client, task_id).status_code == 200

    _age(task_id, days=7)
    expired = download(client, task_id)
    assert expired.status_code == 404
    assert "This export has expired" in expired.get_data(as_text=True)
    sweep.sweep()
    assert not _file(app, task_id).exists()
    assert download(client, task_id).status_code == 404


def test_cleanup_deletes_files_whose_task_is_gone_and_old_partial_files(app, client, susan):
    import os

    client.login("susan")
    task_id = start(client)
    assert jobs.wait_until_idle(30)
    folder = Path(app.config["EXPORT_DIR"])
    orphan = folder / f"{uuid4()}.zip"
    orphan.write_bytes(b"PK")
    partial = folder / ".export-abandoned"
    partial.write_bytes(b"PK")
    two_days_ago = (utcnow() - timedelta(days=2)).timestamp()
    os.utime(partial, (two_days_ago, two_days_ago))
    fresh_partial = folder / ".export-being-written"
    fresh_partial.write_bytes(b"PK")

    assert exports.remove_expired_exports() == 2
    assert not orphan.exists() and not partial.exists()
    assert fresh_partial.exists() and _file(app, task_id).exists()
    fresh_partial.unlink()


def test_deleting_the_account_leaves_its_export_to_the_next_cleanup(app, client, susan):
    from microblog.services import accounts
    from tests.conftest import PASSWORD

    client.login("susan")
    task_id = start(client)
    assert jobs.wait_until_idle(30)
    accounts.delete_account(susan, PASSWORD, True)
    assert exports.remove_expired_exports() == 1
    assert not _file(app, task_id).exists()


def test_the_task_is_a_plain_function(app, susan):
    name = exports.build_export(susan.id)
    with (Path(app.config["EXPORT_DIR"]) / name).open("rb") as file:
        assert unzip(file.read())["profile.json"]["username"] == "susan"
    (Path(app.config["EXPORT_DIR"]) / name).unlink()
    assert exports.build_export(12345) is None  # the account is gone: nothing to do


def test_exporting_costs_the_same_statements_however_many_posts(app, susan, count_queries):
    def statements(posts_to_add: int) -> int:
        for n in range(posts_to_add):
            posts.create_article(susan, f"Article {n} {uuid4().hex[:6]}", "Body",
                                 tags="one, two")
        with count_queries() as seen:
            exports.write_export(susan, io.BytesIO())
        return len([s for s in seen if not re.match(r"\s*(SAVEPOINT|RELEASE)", s)])

    assert statements(3) == statements(40)  # 43 posts: still one batch of tags
