"""A request id: one short string that ties together every log line of one request.

A proxy or a calling service may already have given the request an id in
``X-Request-ID``; keeping it lets an operator follow one request across
systems. An id that is missing, too long or holds anything but letters,
digits, ``.``, ``_`` and ``-`` is replaced (never echoed: it ends up in logs and
headers). The id is kept in ``g.request_id`` and sent back in the response.
"""

from __future__ import annotations

import re
import uuid

from flask import Flask, g, request, request_started
from werkzeug.wrappers import Response

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def init_app(app: Flask) -> None:
    # request_started fires before any before_request function, so even a
    # request that a rate limit turns away has an id.
    request_started.connect(assign_request_id, app)
    app.after_request(add_request_id_header)


def assign_request_id(sender: Flask, **extra: object) -> None:
    incoming = request.headers.get(HEADER, "")
    g.request_id = incoming if SANE_ID.fullmatch(incoming) else uuid.uuid4().hex


def add_request_id_header(response: Response) -> Response:
    response.headers[HEADER] = g.request_id
    return response
