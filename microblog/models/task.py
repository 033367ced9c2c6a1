"""A background job, as its owner and the admins see it: the Mega-Tutorial's ``Task``.

The row is the job's truth, not the queue: the task writes its progress here, the
pages read it here, and the worker that runs it says here that it is alive
(``heartbeat_at``). Redis (or the in-process queue) only carries the row's id to a
worker. So a queue that loses a message, or a worker that dies, loses no job: the
sweep (``microblog/jobs/sweep.py``) finds the row and hands it on again.

``id`` is chosen before anything is queued (a UUID, as the tutorial takes RQ's job
id), so the row can be committed first and a worker that starts at once finds it.
``args`` holds what the task is called with (JSON), so any backend, the sweep or an
administrator's retry can run it again; it is dropped once the task has finished,
since it may hold a link that signs someone in (a password-reset email).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from microblog.extensions import db
from microblog.models.base import utcnow

if TYPE_CHECKING:
    from microblog.models.user import User

TASK_ID_LENGTH = 36  # str(uuid4())
TASK_NAME_MAX_LENGTH = 200  # "module.path:function"
TASK_DESCRIPTION_MAX_LENGTH = 200
TASK_ERROR_MAX_LENGTH = 2000


class TaskState(enum.StrEnum):
    QUEUED = "queued"  # waiting for a worker (the first time, or again after a failure)
    RUNNING = "running"  # a worker has it; heartbeat_at says it is still alive
    FINISHED = "finished"
    FAILED = "failed"  # for good: error says why

    @property
    def label(self) -> str:
        return str(_STATE_LABELS[self])


_STATE_LABELS = {
    TaskState.QUEUED: _l("Queued"),
    TaskState.RUNNING: _l("Running"),
    TaskState.FINISHED: _l("Finished"),
    TaskState.FAILED: _l("Failed"),
}


class Task(db.Model):
    __tablename__ = "tasks"

    id: so.Mapped[str] = so.mapped_column(sa.String(TASK_ID_LENGTH), primary_key=True)
    # The task function's import path, "microblog.mailer:deliver_email".
    name: so.Mapped[str] = so.mapped_column(sa.String(TASK_NAME_MAX_LENGTH))
    # What it does, in words its owner reads ("Exporting your data").
    description: so.Mapped[str] = so.mapped_column(sa.String(TASK_DESCRIPTION_MAX_LENGTH))
    # Whose it is; None for the site's own work (an email, a cleanup).
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"))
    args: so.Mapped[list[Any] | None] = so.mapped_column(sa.JSON)
    state: so.Mapped[TaskState] = so.mapped_column(
        sa.Enum(TaskState, native_enum=False, length=16, validate_strings=True,
                values_callable=lambda states: [state.value for state in states]),
        default=TaskState.QUEUED,
    )
    progress: so.Mapped[int] = so.mapped_column(default=0)  # per cent, written by the task
    # Why it failed (the last failure while it is tried again).
    error: so.Mapped[str | None] = so.mapped_column(sa.String(TASK_ERROR_MAX_LENGTH))
    attempts: so.Mapped[int] = so.mapped_column(default=0)  # runs started so far
    max_attempts: so.Mapped[int]  # the run that reaches it is the last
    run_after: so.Mapped[datetime | None]  # a retry waits until then
    started_at: so.Mapped[datetime | None]  # the latest run's start
    finished_at: so.Mapped[datetime | None]
    heartbeat_at: so.Mapped[datetime | None]  # the worker running it was alive then

    user: so.Mapped[User | None] = so.relationship(lazy="raise")

    __table_args__ = (
        sa.Index("ix_tasks_created_at", "created_at"),  # the admins' list, newest first
        sa.Index("ix_tasks_user_id_created_at", "user_id", "created_at"),  # someone's tasks
        sa.Index("ix_tasks_state", "state"),  # the sweep: running and queued ones
    )

    @property
    def complete(self) -> bool:
        """The tutorial's flag: the task has finished (successfully)."""
        return self.state is TaskState.FINISHED

    @property
    def done(self) -> bool:
        """Nothing more will happen to it unless someone retries it."""
        return self.state in (TaskState.FINISHED, TaskState.FAILED)

    @property
    def duration(self) -> float | None:
        """Seconds its latest run took (or has taken so far); None before it ran."""
        if self.started_at is None:
            return None
        return ((self.finished_at or utcnow()) - self.started_at).total_seconds()

    @property
    def label(self) -> str:
        """The function's own name, for a list of tasks."""
        return self.name.rpartition(":")[2]

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.name} {self.state.value}>"
