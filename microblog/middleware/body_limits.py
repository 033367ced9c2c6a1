"""How large a request body may be: ``MAX_CONTENT_LENGTH``, or more where a view says so.

Werkzeug refuses a body over the limit (413) when it is first read, and the first to
read it is the CSRF check, before any view runs. So a view that takes pictures cannot
raise the limit itself: it names the setting that holds its limit with
:func:`body_limit`, and the app's :class:`Request` looks the limit up as soon as the
URL has matched that view. Everywhere else the small default keeps a client from
making us parse megabytes of form.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from flask import Request as FlaskRequest

# What a multipart body carries besides the file: boundaries, headers, the CSRF token.
MULTIPART_ALLOWANCE = 64 * 1024


def body_limit(setting: str) -> Callable:
    """Let the decorated view take a body as large as the setting ``setting`` says
    (plus the multipart framing around a file)."""

    def mark(view: Callable) -> Callable:
        view.body_limit_setting = setting
        return view

    return mark


class Request(FlaskRequest):
    @property
    def max_content_length(self) -> int | None:
        view = current_app.view_functions.get(self.endpoint) if self.endpoint else None
        setting = getattr(view, "body_limit_setting", None)
        if setting is None:
            return super().max_content_length
        return current_app.config[setting] + MULTIPART_ALLOWANCE


def init_app(app: Flask) -> None:
    app.request_class = Request
