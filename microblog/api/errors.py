"""Errors under ``/api``: every one an RFC 9457 problem (``application/problem+json``).

A client reads ``status`` and ``title`` (the HTTP reason, stable) and shows
``detail`` (what went wrong, in the reader's language); a 422 adds ``errors``, each
field's messages, as the HTML forms show them beside each field. The app's error
handlers (``microblog/blueprints/errors/handlers.py``) call :func:`problem` for any
request under ``/api`` and draw the HTML page for everything else: the domain errors
(``microblog/errors.py``) are still mapped in one place, for both front ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import Response, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.http import HTTP_STATUS_CODES

from microblog.errors import ValidationError

PREFIX = "/api"
PROBLEM_MIMETYPE = "application/problem+json"

# ``detail`` when the code that raised the error gave none.
DETAIL = {
    400: _l("The request could not be understood."),
    401: _l("A valid access token is needed: sign in with POST /api/tokens."),
    403: _l("You are not allowed to do that."),
    404: _l("There is nothing at this address."),
    405: _l("This address does not take that method."),
    409: _l("That conflicts with the current state of the resource."),
    413: _l("What you sent is too large."),
    415: _l("Send the body as application/json."),
    422: _l("What you sent could not be accepted."),
    429: _l("Too many requests. Please wait and try again."),
    500: _l("Something went wrong on our side. It has been logged."),
    503: _l("The service cannot answer just now. Please try again in a minute."),
}


def is_api_request() -> bool:
    """Whether this request is for the API: its path is ``/api`` or under it."""
    path = request.path
    return path == PREFIX or path.startswith(PREFIX + "/")


def problem(status: int, detail: str | None = None, *,
            errors: Mapping[str, list[str]] | None = None,
            headers: Iterable[tuple[str, str]] | Mapping[str, str] = ()) -> Response:
    """The problem body for ``status``: ``type`` is ``about:blank``, so ``title`` is the
    status's own reason phrase (RFC 9457 §4.2.1)."""
    body: dict[str, object] = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": str(detail or DETAIL.get(status) or HTTP_STATUS_CODES.get(status, "Error")),
    }
    if errors:
        body["errors"] = {field: [str(m) for m in messages] for field, messages in errors.items()}
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIMETYPE
    items = headers.items() if isinstance(headers, Mapping) else headers
    for name, value in items:
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """A domain ValidationError's messages by field; ``_schema`` for the input as a whole
    (marshmallow's name for it, so both kinds read alike)."""
    return {field or "_schema": [message] for field, message in error.errors.items()}


def input_errors(detail: object) -> dict[str, list[str]]:
    """webargs' messages (``{"json": {"username": ["…"]}}``) by field, whatever
    location they were in; a nested field is named with dots (``tags.0``)."""
    found: dict[str, list[str]] = {}

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            found.setdefault(prefix or "_schema", []).extend(value)
        else:
            found.setdefault(prefix or "_schema", []).append(str(value))

    if isinstance(detail, Mapping):
        for messages in detail.values():  # the location: json, query, …
            walk("", messages)
    return found
