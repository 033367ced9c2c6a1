"""How many SQL statements a request ran, in an ``X-Query-Count`` response header.

For the benchmark (``bench/run.py``) and anyone checking a page's query budget
from outside, with curl. Off by default (``SQL_QUERY_COUNT_HEADER``): when off,
nothing is hooked in, so it costs nothing; when on, every statement the app's
engine sends during a request adds one to a counter kept in ``g``.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request_started
from werkzeug.wrappers import Response

from microblog.extensions import db

HEADER = "X-Query-Count"


def init_app(app: Flask) -> None:
    if not app.config.get("SQL_QUERY_COUNT_HEADER"):
        return
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count_statement)
    request_started.connect(start_count, app)
    app.after_request(add_query_count_header)


def start_count(sender: Flask, **extra: object) -> None:
    g.query_count = 0


def count_statement(*args: object) -> None:
    if has_request_context() and "query_count" in g:
        g.query_count += 1


def add_query_count_header(response: Response) -> Response:
    response.headers[HEADER] = str(g.get("query_count", 0))
    return response
