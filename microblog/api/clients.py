"""What makes the API fit for real clients, around every ``/api`` request.

- A body must be JSON: another media type is a 415, JSON that does not parse a 400,
  before any view runs (so no half-read request changes anything).
- ``ETag`` on every successful GET, and ``304 Not Modified`` for an ``If-None-Match``
  that still matches: a client polling a profile or a post downloads it only when
  it changed. ``Cache-Control: private, no-cache``: only the caller may keep it, and
  must ask again (cheaply, with the tag) before using it.
- ``RateLimit-Limit``, ``-Remaining`` and ``-Reset`` (seconds) from the limit nearest
  to running out (``microblog/rate_limits.py``).
- CORS only for the origins in ``API_CORS_ORIGINS`` (none by default).
"""

from __future__ import annotations

import time

from flask import Flask, Response, request
from flask_babel import _

from microblog.api.errors import is_api_request, problem
from microblog.extensions import limiter

BODY_METHODS = {"POST", "PUT", "PATCH"}


def init_app(app: Flask) -> None:
    app.before_request(require_json_body)
    app.after_request(describe_for_clients)
    if origins := app.config["API_CORS_ORIGINS"]:
        from flask_cors import CORS

        CORS(app, resources={r"/api/*": {"origins": origins}},
             allow_headers=["Authorization", "Content-Type", "If-None-Match"],
             expose_headers=["ETag", "RateLimit-Limit", "RateLimit-Remaining",
                             "RateLimit-Reset", "Retry-After", "Location"],
             supports_credentials=False, max_age=600)


def require_json_body():
    if request.method not in BODY_METHODS or not is_api_request():
        return None
    if not request.content_length and not request.headers.get("Transfer-Encoding"):
        return None  # no body: the view's schema says whether it needed one
    if not request.is_json:
        return problem(415, _("Send the body as application/json."))
    if request.get_json(silent=True) is None:
        return problem(400, _("The body is not valid JSON."))
    return None


def describe_for_clients(response: Response) -> Response:
    if not is_api_request():
        return response
    response.headers.setdefault("Cache-Control", "private, no-cache")
    response.vary.add("Authorization")
    if (limit := limiter.current_limit) is not None:
        response.headers["RateLimit-Limit"] = str(limit.limit.amount)
        response.headers["RateLimit-Remaining"] = str(max(0, limit.remaining))
        response.headers["RateLimit-Reset"] = str(max(0, int(limit.reset_at - time.time())))
    if request.method == "GET" and response.status_code == 200 and not response.is_streamed:
        response.add_etag()
        response.make_conditional(request)
    return response
