"""Who may see and retry background tasks: the owner reads their own, admins see all.

The job layer (``microblog/jobs/``) runs tasks and knows no people; these rules are
what the pages and the API call. A task id another person holds reads as unknown,
not forbidden, so ids cannot be probed.
"""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import _

from microblog import audit, jobs
from microblog.database import built_once
from microblog.errors import NotFound, ValidationError
from microblog.extensions import db
from microblog.jobs import functions
from microblog.models.role import Permission
from microblog.models.task import Task, TaskState
from microblog.models.user import User
from microblog.pagination import Page, paginate
from microblog.services.permissions import require


def task_of(user: User | None, task_id: str) -> Task:
    """``user``'s task ``task_id``; NotFound when it is someone else's or not a task."""
    task = _get(task_id)
    if task is None or user is None or not user.is_authenticated or task.user_id != user.id:
        raise NotFound(_("There is no such task."))
    return task


def recent(actor: User, page: int, per_page: int) -> Page[Task]:
    """Every task, newest first, each with its owner (administrators only)."""
    require(actor, Permission.ADMIN)
    newest = built_once("tasks", lambda: sa.select(Task).order_by(
        Task.created_at.desc(), Task.id.desc()))
    return paginate(newest, page, per_page, read=_with_owners)


def retry(actor: User, task_id: str) -> Task:
    """Queue a failed task again, with as many attempts as a new one (administrators only).

    Its attempts keep counting (the list shows how many it took in all); its error
    stays until the next run ends.
    """
    require(actor, Permission.ADMIN)
    task = _get(task_id)
    if task is None:
        raise NotFound(_("There is no such task."))
    if task.state is not TaskState.FAILED:
        raise ValidationError(_("Only a failed task can be retried."))
    try:
        _function, options = functions.resolve(task.name)
    except LookupError:
        raise ValidationError(_("This task can no longer be run: its code is gone.")) from None
    task.state, task.progress, task.run_after, task.finished_at = TaskState.QUEUED, 0, None, None
    task.max_attempts = task.attempts + options.max_attempts
    attempts = task.attempts
    db.session.commit()
    audit.record("task.retry", user=actor, task_id=task_id, task=task.name)
    jobs.hand_over(current_app._get_current_object(), task_id, attempts, replace=True)
    return task


def _get(task_id: str) -> Task | None:
    try:
        canonical = str(UUID(task_id))
    except (ValueError, TypeError, AttributeError):
        return None
    return db.session.get(Task, canonical)


def _with_owners(query: sa.Select) -> sa.Select:
    return query.options(so.joinedload(Task.user))
