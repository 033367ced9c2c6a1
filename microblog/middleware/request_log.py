"""One log line per request, on the ``microblog.request`` logger.

The line says what was asked (method, path), how it went (status, duration),
by whom (user id) and how to find the rest (request id, remote address). The
fields travel as ``extra`` on the record, so the JSON formatter in
``microblog/logs.py`` writes each as its own key, and the message reads well
as plain text.
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from flask import Flask, g, request, request_finished, request_started
from werkzeug.wrappers import Response

logger = logging.getLogger("microblog.request")


def init_app(app: Flask) -> None:
    request_started.connect(start_clock, app)
    # request_finished fires after every after_request function, on the response
    # that is really sent, including the 500 page of a request that crashed.
    request_finished.connect(log_request, app)


def start_clock(sender: Flask, **extra: object) -> None:
    g.request_started_at = time.perf_counter()


def log_request(sender: Flask, response: Response, **extra: object) -> None:
    started = g.get("request_started_at")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    fields = {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": duration_ms,
        "user_id": logged_in_user_id(),
        "request_id": g.get("request_id"),
        "remote_addr": request.remote_addr,
    }
    logger.info(
        "%(method)s %(path)s %(status)s %(duration_ms)sms user=%(user_id)s "
        "ip=%(remote_addr)s id=%(request_id)s", fields, extra=fields,
    )


def logged_in_user_id() -> int | None:
    """The id of the user this request loaded (by its session, or by an API token), or
    None; never a query of its own.

    Flask-Login keeps the user it loaded in ``g._login_user``. A request that
    never asked who is logged in (a static file, a health check) has none, and
    looking it up now just for the log would cost a database query. The id is
    read from the object's identity, not ``user.id``: after a rollback (a failed
    request) reading an attribute would go back to the database.
    """
    if (api_user_id := g.get("api_user_id")) is not None:
        return api_user_id  # the API's caller, known from its token (microblog/api/auth.py)
    user = g.get("_login_user")
    state = sa.inspect(user, raiseerr=False) if user is not None else None
    if state is None or state.identity is None:
        return None  # anonymous
    return state.identity[0]
