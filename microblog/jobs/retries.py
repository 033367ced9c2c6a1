"""Which failures are worth another try, and how long to wait before it.

A job that failed because something it needs was briefly away (the mail server
restarting, a connection dropped, a timeout) will likely work a little later; one
that failed on its own input (a refused address, a bug) will fail the same way
every time, and trying again only delays telling someone. So a task is tried again
after a *transient* error, at most its ``max_attempts`` times, each wait longer
than the last (``JOBS_RETRY_DELAYS``: backoff, so a struggling server is not
hammered), and any other error fails it at once.
"""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Mapping
from typing import Any

from microblog.models.task import TASK_ERROR_MAX_LENGTH


class TryAgain(Exception):  # noqa: N818  (it says what to do, as the tasks read it)
    """Raised by a task for a failure of its own that may pass (a service said "later")."""


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` may pass by itself: a connection or timeout, or a 4xx from SMTP.

    SMTP says which of its refusals are temporary: 4xx replies ("421 try again
    later", "451 local error") are, 5xx ones (an unknown mailbox) are not.
    """
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    return isinstance(error, (TryAgain, ConnectionError, TimeoutError, socket.gaierror,
                              smtplib.SMTPServerDisconnected))


def retry_delay(config: Mapping[str, Any], attempt: int) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1 for the first run).

    ``JOBS_RETRY_DELAYS`` lists them in order; past its end the last one repeats.
    """
    delays = config["JOBS_RETRY_DELAYS"]
    return float(delays[min(attempt, len(delays)) - 1]) if delays else 0.0


def describe(error: BaseException) -> str:
    """The error as its row keeps it: the exception's type and message."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text[:TASK_ERROR_MAX_LENGTH]
