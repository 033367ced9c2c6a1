"""Data export: a person downloads everything they put into the site, as a ZIP of JSON.

Why a background job: an account with ten thousand posts takes seconds to write out,
longer than a request should hold a worker, and the person need not wait on the page.
:func:`start_export` queues :func:`build_export`; the page shows its progress (the
``Task`` row, polled at ``/tasks/<id>``); when it is done an email carries the link.

Why a file with an owner and an expiry: the ZIP holds someone's email address and
private messages. It is kept outside ``static/`` (:mod:`microblog.storage.exports`),
named after its task, and :func:`export_file` gives it only to the task's owner, for
:data:`EXPORT_LIFETIME` after it was finished; :func:`remove_expired_exports` (run by
every sweep of the job layer) deletes it after that. No table of its own: the ``Task``
row already says whose it is, how far it got, and when it finished.

Why streaming: the rows are read a batch at a time (keyset paging: each batch starts
after the last id of the one before) and written into the ZIP entry as they come, one
JSON value after another, so memory stays flat however many posts there are.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, BinaryIO
from uuid import uuid4

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import _, format_date
from flask_babel import lazy_gettext as _l

from microblog import jobs
from microblog.errors import NotFound, ValidationError
from microblog.extensions import db
from microblog.jobs import signals
from microblog.jobs.functions import options_of
from microblog.languages import in_language_of
from microblog.mailer import link, send_template
from microblog.models.base import utcnow
from microblog.models.block import blocks
from microblog.models.category import Category
from microblog.models.comment import Comment
from microblog.models.follow import followers
from microblog.models.like import likes
from microblog.models.message import Message
from microblog.models.post import Post
from microblog.models.tag import Tag, post_tags
from microblog.models.task import Task, TaskState
from microblog.models.user import User
from microblog.services import tasks
from microblog.storage import storage as upload_storage
from microblog.storage.exports import PARTIAL_PREFIX, export_storage

EXPORT_LIFETIME = timedelta(days=7)
# Rows read from the database at a time, and so the most held in memory at once.
BATCH_SIZE = 500
# A partial file older than this was left by a worker that died while writing it.
PARTIAL_MAX_AGE = timedelta(days=1)
WAITING = (TaskState.QUEUED, TaskState.RUNNING)


@dataclass(frozen=True)
class Export:
    """Someone's latest export, as their settings page shows it."""

    task: Task
    expires_at: datetime | None  # when it finished, plus EXPORT_LIFETIME
    size: int | None  # bytes of the ZIP, while it is there to download

    @property
    def in_progress(self) -> bool:
        return self.task.state in WAITING

    @property
    def failed(self) -> bool:
        return self.task.state is TaskState.FAILED

    @property
    def downloadable(self) -> bool:
        return self.task.complete and self.size is not None and not self.expired

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= utcnow()


@dataclass(frozen=True)
class ExportFile:
    """An export to send to its owner: the open file and the name to save it under."""

    file: BinaryIO
    download_name: str
    size: int  # bytes, for Content-Length (the browser shows how far the download is)


def start_export(user: User) -> Task:
    """Queue an export of ``user``'s data; refused while one of theirs is still waiting
    or running (a second would only write the same file again)."""
    # Locks the person's row (PostgreSQL) until enqueue commits, so two clicks at once
    # cannot both find no export running.
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
    if db.session.scalar(_exports_of(user.id).where(Task.state.in_(WAITING)).limit(1)):
        db.session.rollback()
        raise ValidationError(_("An export of your data is already in progress. "
                                "You will get an email when it is ready."))
    return jobs.enqueue(build_export, user.id, user=user,
                        description=_("Exporting your data"))


def latest_export(user: User) -> Export | None:
    """``user``'s most recent export, whatever its state; None if they never asked."""
    task = db.session.scalar(_exports_of(user.id).order_by(Task.created_at.desc()).limit(1))
    if task is None:
        return None
    expires_at = task.finished_at + EXPORT_LIFETIME if task.complete else None
    size = export_storage().size(_file_name(task.id)) if task.complete else None
    return Export(task=task, expires_at=expires_at, size=size)


def export_file(user: User | None, task_id: str) -> ExportFile:
    """The ZIP of ``user``'s export ``task_id``, to download. NotFound when it is
    someone else's (or not an export), not finished yet, expired or deleted."""
    task = tasks.task_of(user, task_id)
    if task.name != EXPORT_TASK or not task.complete:
        raise NotFound(_("There is no such export."))
    if task.finished_at + EXPORT_LIFETIME <= utcnow():
        raise NotFound(_("This export has expired: exports are kept for %(days)d days. "
                         "You can start a new one from your settings.",
                         days=EXPORT_LIFETIME.days))
    try:
        file = export_storage().open(_file_name(task.id))
    except FileNotFoundError:
        raise NotFound(_("This export is no longer available. You can start a new one "
                         "from your settings.")) from None
    return ExportFile(file, f"microblog-{user.username}-{task.finished_at:%Y-%m-%d}.zip",
                      os.fstat(file.fileno()).st_size)


@jobs.task(page="settings.export")
def build_export(user_id: int) -> str | None:
    """The task: write the ZIP of ``user_id``'s data (the email with the link goes once
    the job layer has marked it finished: :func:`_email_when_ready`).

    Named after the running task (a test that calls it directly gets a fresh name);
    run again, it replaces the file whole. Returns the file's name (None when the
    account was deleted meanwhile: there is nothing to export, or to tell).
    """
    user = db.session.get(User, user_id)
    if user is None:
        return None
    task_id = jobs.current_task_id() or str(uuid4())
    with export_storage().writing(_file_name(task_id)) as file:
        write_export(user, file, progress=jobs.set_progress)
    db.session.rollback()  # the reads' transaction (and PostgreSQL's cursors) end here
    return _file_name(task_id)


def write_export(user: User, file: BinaryIO,
                 progress: Callable[[float], None] = lambda percent: None) -> None:
    """Write ``user``'s data into ``file`` as a ZIP, one JSON file per kind of thing,
    calling ``progress`` with the per cent of rows written so far."""
    sections = _sections(user)
    total = sum(section.count() for section in sections) or 1
    done = 0
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for section in sections:
            with archive.open(section.file_name, "w", force_zip64=True) as entry:
                writer = _JSONWriter(entry)
                if section.single:
                    writer.value(next(iter(section.rows())))
                    done += 1
                else:
                    writer.start_list()
                    for item in section.rows():
                        writer.item(item)
                        done += 1
                        progress(min(99, done * 100 / total))
                    writer.end_list()
                writer.flush()
            progress(min(99, done * 100 / total))
        if user.avatar_file:
            _copy_avatar(user, archive)


@jobs.task(max_attempts=1)
def remove_expired_exports() -> int:
    """Delete the export files nobody may download any more; return how many.

    Those whose task finished more than :data:`EXPORT_LIFETIME` ago, those whose task
    is gone (the account was deleted, taking its tasks), and partial files left by a
    worker that died while writing. The job layer's sweep calls it every time it runs
    (``microblog/jobs/sweep.py``): every worker, the embedded thread, ``flask jobs sweep``.
    """
    storage = export_storage()
    now = utcnow()
    removed = 0
    whole: dict[str, datetime] = {}
    for name, written_at in storage.files():
        if name.startswith(PARTIAL_PREFIX):
            if written_at < now - PARTIAL_MAX_AGE:
                removed += storage.delete(name)
        else:
            whole[name.removesuffix(".zip")] = written_at
    ids = list(whole)
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start:start + BATCH_SIZE]
        finished = dict(db.session.execute(
            sa.select(Task.id, Task.finished_at).where(Task.id.in_(chunk))).all())
        for task_id in chunk:
            if task_id not in finished:  # its task (or its owner) is gone
                expired = True
            else:  # still running (a retry rewriting it) counts as fresh
                finished_at = finished[task_id]
                expired = finished_at is not None and finished_at + EXPORT_LIFETIME <= now
            if expired:
                removed += storage.delete(_file_name(task_id))
    if removed:
        current_app.logger.info("Removed %d expired data export file(s)", removed)
    return removed


EXPORT_TASK = options_of(build_export).name


def _exports_of(user_id: int) -> sa.Select:
    return sa.select(Task).where(Task.user_id == user_id, Task.name == EXPORT_TASK)


def _file_name(task_id: str) -> str:
    return f"{task_id}.zip"


def _email_when_ready(app: object, *, task_id: str, user_id: int | None,
                      **details: object) -> None:
    """An export finished (``jobs.signals.task_finished``, sent once its row says so, so
    the link works the moment the email arrives): email its owner the link."""
    task = db.session.get(Task, task_id)
    if task is None or user_id is None or task.name != options_of(build_export).name:
        return
    user = db.session.get(User, user_id)
    if user is None:
        return
    with in_language_of(user):  # the date too, though no request says which language
        send_template("export_ready", _l("Your data export is ready"), [user.email],
                      user=user, link=link("settings.export_download", task_id=task_id),
                      page=link("settings.export"),
                      expires_on=format_date(task.finished_at + EXPORT_LIFETIME))


signals.task_finished.connect(_email_when_ready)


# --- what goes into the ZIP -------------------------------------------------------------


@dataclass(frozen=True)
class _Section:
    file_name: str
    count: Callable[[], int]  # rows it will write, for the progress bar
    rows: Callable[[], Iterable[dict[str, Any]]]
    single: bool = False  # one JSON object rather than a list


def _sections(user: User) -> list[_Section]:
    urls = _SiteURLs()

    def counted(query: sa.Select) -> Callable[[], int]:
        return lambda: db.session.scalar(sa.select(sa.func.count()).select_from(
            query.subquery())) or 0

    posts = (sa.select(Post.id, Post.title, Post.slug, Post.body, Post.body_html,
                       Post.created_at, Post.published_at, Post.edited_at, Post.updated_at,
                       Post.like_count, Post.comment_count, Category.name.label("category"))
             .outerjoin(Category, Category.id == Post.category_id)
             .where(Post.user_id == user.id))
    post_author = so.aliased(User)
    comments = (sa.select(Comment.id, Comment.body, Comment.body_html, Comment.created_at,
                          Comment.edited_at, Post.id.label("post_id"), Post.slug,
                          Post.title, post_author.username.label("post_author"))
                .join(Post, Post.id == Comment.post_id)
                .join(post_author, post_author.id == Post.user_id)
                .where(Comment.user_id == user.id))
    liked = (sa.select(likes.c.created_at, Post.id.label("post_id"), Post.slug, Post.title,
                       User.username.label("post_author"))
             .join(Post, Post.id == likes.c.post_id).join(User, User.id == Post.user_id)
             .where(likes.c.user_id == user.id))
    following = (sa.select(User.id, User.username)
                 .join(followers, followers.c.followed_id == User.id)
                 .where(followers.c.follower_id == user.id))
    follower_list = (sa.select(User.id, User.username)
                     .join(followers, followers.c.follower_id == User.id)
                     .where(followers.c.followed_id == user.id))
    blocked = (sa.select(User.id, User.username, blocks.c.created_at)
               .join(blocks, blocks.c.blocked_id == User.id)
               .where(blocks.c.blocker_id == user.id))
    other = sa.case((Message.sender_id == user.id, Message.recipient_id),
                    else_=Message.sender_id)
    messages = (sa.select(Message.id, Message.conversation_id, Message.sender_id,
                          Message.body, Message.body_html, Message.created_at,
                          User.username.label("other"))
                .join(User, User.id == other)
                .where(sa.or_(Message.sender_id == user.id, Message.recipient_id == user.id)))

    def post_rows() -> Iterator[dict[str, Any]]:
        for batch in _batches(posts, Post.id):
            tags = _tags_of([row.id for row in batch])
            for row in batch:
                yield {
                    "id": row.id,
                    "kind": "article" if row.title is not None else "status",
                    "status": "draft" if row.published_at is None else "published",
                    "title": row.title,
                    "slug": row.slug,
                    "permalink": urls.post(row.id, row.slug),
                    "category": row.category,
                    "tags": tags.get(row.id, []),
                    "body_markdown": row.body,
                    "body_html": row.body_html,
                    "created_at": _time(row.created_at),
                    "published_at": _time(row.published_at),
                    "edited_at": _time(row.edited_at),
                    "updated_at": _time(row.updated_at),
                    "like_count": row.like_count,
                    "comment_count": row.comment_count,
                }

    def comment_rows() -> Iterator[dict[str, Any]]:
        for row in _streamed(comments, Comment.id):
            yield {
                "id": row.id,
                "post": _post_ref(urls, row),
                "body_markdown": row.body,
                "body_html": row.body_html,
                "created_at": _time(row.created_at),
                "edited_at": _time(row.edited_at),
            }

    def like_rows() -> Iterator[dict[str, Any]]:
        for row in _streamed(liked, Post.id, "post_id"):
            yield {"post": _post_ref(urls, row), "liked_at": _time(row.created_at)}

    def people(query: sa.Select) -> Callable[[], Iterator[dict[str, Any]]]:
        return lambda: ({"username": row.username, "profile": urls.user(row.username)}
                        for row in _streamed(query, User.id))

    def block_rows() -> Iterator[dict[str, Any]]:
        for row in _streamed(blocked, User.id):
            yield {"username": row.username, "blocked_at": _time(row.created_at)}

    def message_rows() -> Iterator[dict[str, Any]]:
        for row in _streamed(messages, Message.id):
            sent = row.sender_id == user.id
            yield {
                "id": row.id,
                "conversation_id": row.conversation_id,
                "direction": "sent" if sent else "received",
                "from": user.username if sent else row.other,
                "to": row.other if sent else user.username,
                "body_markdown": row.body,
                "body_html": row.body_html,
                "sent_at": _time(row.created_at),
            }

    def profile() -> Iterator[dict[str, Any]]:
        yield {
            "id": user.id,
            "username": user.username,
            "email": user.email,
            "email_confirmed_at": _time(user.email_confirmed_at),
            "about_me": user.about_me,
            "role": user.role.value,
            "member_since": _time(user.created_at),
            "last_seen": _time(user.last_seen),
            "profile": urls.user(user.username),
            "avatar": _avatar_name(user),
            "follower_count": user.follower_count,
            "following_count": user.following_count,
            "exported_at": _time(utcnow()),
        }

    return [
        _Section("profile.json", lambda: 1, profile, single=True),
        _Section("posts.json", counted(posts), post_rows),
        _Section("comments.json", counted(comments), comment_rows),
        _Section("likes.json", counted(liked), like_rows),
        _Section("following.json", counted(following), people(following)),
        _Section("followers.json", counted(follower_list), people(follower_list)),
        _Section("blocks.json", counted(blocked), block_rows),
        _Section("messages.json", counted(messages), message_rows),
    ]


def _avatar_name(user: User) -> str | None:
    """The uploaded picture's name in the ZIP (``avatar.png``); None for the identicon."""
    return f"avatar{user.avatar_file[user.avatar_file.rindex('.'):]}" if user.avatar_file else None


def _copy_avatar(user: User, archive: zipfile.ZipFile) -> None:
    try:
        picture = upload_storage().open(user.avatar_file)
    except FileNotFoundError:
        return
    with picture, archive.open(_avatar_name(user), "w") as entry:
        shutil.copyfileobj(picture, entry)


def _batches(query: sa.Select, key: sa.ColumnElement[int],
             name: str = "id") -> Iterator[list[sa.Row]]:
    """The query's rows in the order of ``key`` (unique; the row's ``name``), read
    ``BATCH_SIZE`` at a time, each batch by a query of its own that starts after the
    last key seen (keyset paging, as a page of a timeline does).

    Not one query read through a cursor (``yield_per``): SQLite keeps its database
    locked against writers for as long as a statement is unfinished, and the export's
    own progress and heartbeat are written by other connections while it reads. Each
    batch's query is finished before the next one starts, on both databases.
    """
    after: int | None = None
    while True:
        page = query.order_by(key).limit(BATCH_SIZE)
        if after is not None:
            page = page.where(key > after)
        rows = db.session.execute(page).all()
        if rows:
            yield rows
        if len(rows) < BATCH_SIZE:
            return
        after = getattr(rows[-1], name)


def _streamed(query: sa.Select, key: sa.ColumnElement[int],
              name: str = "id") -> Iterator[sa.Row]:
    for batch in _batches(query, key, name):
        yield from batch


def _tags_of(post_ids: list[int]) -> dict[int, list[str]]:
    """The tags of a batch of posts, in one query."""
    found: dict[int, list[str]] = {}
    if post_ids:
        for post_id, name in db.session.execute(
                sa.select(post_tags.c.post_id, Tag.name).join(Tag, Tag.id == post_tags.c.tag_id)
                .where(post_tags.c.post_id.in_(post_ids)).order_by(Tag.name)):
            found.setdefault(post_id, []).append(name)
    return found


def _post_ref(urls: _SiteURLs, row: sa.Row) -> dict[str, Any]:
    return {"id": row.post_id, "title": row.title, "author": row.post_author,
            "permalink": urls.post(row.post_id, row.slug)}


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class _SiteURLs:
    """Absolute links on ``SITE_URL`` (as in emails), built with one bound URL map."""

    def __init__(self) -> None:
        from urllib.parse import urlsplit

        site = urlsplit(current_app.config["SITE_URL"])
        self._adapter = current_app.url_map.bind(site.netloc, script_name=site.path or "/",
                                                 url_scheme=site.scheme)

    def post(self, post_id: int, slug: str | None) -> str:
        values: dict[str, Any] = {"post_id": post_id}
        if slug:
            values["slug"] = slug
        return self._adapter.build("blog.post", values, force_external=True)

    def user(self, username: str) -> str:
        return self._adapter.build("main.user", {"username": username}, force_external=True)


class _JSONWriter:
    """Writes JSON into a binary stream a value at a time, in chunks of about 64 KB
    (each ``write`` into a ZIP entry runs the compressor: a few large ones are cheaper
    than thousands of small ones)."""

    CHUNK = 64 * 1024

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.buffer: list[bytes] = []
        self.buffered = 0
        self.first = True

    def _write(self, data: bytes) -> None:
        self.buffer.append(data)
        self.buffered += len(data)
        if self.buffered >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.stream.write(b"".join(self.buffer))
            self.buffer, self.buffered = [], 0

    def value(self, value: Any) -> None:
        self._write(json.dumps(value, ensure_ascii=False, indent=2).encode() + b"\n")

    def start_list(self) -> None:
        self._write(b"[")

    def item(self, value: Any) -> None:
        self._write((b"\n  " if self.first else b",\n  ")
                    + json.dumps(value, ensure_ascii=False).encode())
        self.first = False

    def end_list(self) -> None:
        self._write(b"\n]\n" if not self.first else b"]\n")
