"""Marking a plain function as a task, and finding it again by name.

A task is an ordinary function of JSON-able arguments: a test calls it directly, and
so does the worker. ``@task`` only records how it is run (how many attempts), and
its name, ``"module:function"``, is what a ``Task`` row keeps: any worker process
imports the module and calls the function, in an app context it opened. So a task
module must build nothing at import time (no ``create_app()`` at the top): the
worker has an app already, and a test has its own.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
MARK = "__microblog_task__"


@dataclass(frozen=True)
class TaskOptions:
    name: str  # "microblog.mailer:deliver_email"
    max_attempts: int  # the first run and the retries after transient errors
    # The endpoint of the page where the task's owner sees what it made ("settings.export"),
    # which a "finished" or "failed" notification links to; None for the site's own work.
    page: str | None = None


def task(function: F | None = None, *, max_attempts: int = 4, page: str | None = None) -> Any:
    """Make ``function`` a task: ``@task``, ``@task(max_attempts=1)`` (no retries), or
    ``@task(page="settings.export")`` (where its owner sees the result)."""

    def mark(function: F) -> F:
        if max_attempts < 1:
            raise ValueError("a task needs at least one attempt")
        name = f"{function.__module__}:{function.__qualname__}"
        setattr(function, MARK, TaskOptions(name=name, max_attempts=max_attempts, page=page))
        return function

    return mark(function) if function is not None else mark


def options_of(function: Callable[..., Any]) -> TaskOptions:
    try:
        return getattr(function, MARK)
    except AttributeError:
        raise TypeError(f"{function!r} is not a task: decorate it with @jobs.task") from None


def resolve(name: str) -> tuple[Callable[..., Any], TaskOptions]:
    """The task function a row names, imported; LookupError if there is none by that name.

    Only functions marked ``@task`` are run, so a row cannot name any function at all.
    """
    module_name, _, qualname = name.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
        return found, options_of(found)
    except (ImportError, AttributeError, TypeError, ValueError):
        raise LookupError(f"There is no task named {name!r}.") from None
