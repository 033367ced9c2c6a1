"""Code that runs around every request, whatever view answers it.

Each module here does one job and has an ``init_app`` that hooks it into the
app: how large a request body may be (``body_limits``), where the request really came
from (``proxy``), a request id
(``request_id``), refusing control characters in what was sent
(``control_characters``), one log line per request (``request_log``) and the headers
that tell browsers what a page may do (``security_headers``), and, on request, the
number of SQL statements it ran (``query_count``). (How a request's transaction
ends is database tuning, in :mod:`microblog.database`.)
"""

from flask import Flask

from microblog.middleware import (
    body_limits,
    control_characters,
    proxy,
    query_count,
    request_id,
    request_log,
    security_headers,
)


def init_app(app: Flask) -> None:
    body_limits.init_app(app)
    proxy.init_app(app)
    request_id.init_app(app)
    control_characters.init_app(app)
    request_log.init_app(app)
    security_headers.init_app(app)
    query_count.init_app(app)
