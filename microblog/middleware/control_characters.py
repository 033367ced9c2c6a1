"""Control characters are refused at the edge, before any view or query sees them.

No keyboard types a NUL byte or an escape character, but a crafted request can
carry them (``/user/%00``), and PostgreSQL refuses NUL in text: a lookup with
one would fail as a 500. So one check here, before every request, refuses what
no text of ours holds:

- in the path, any control character: a 404, since no user, tag or slug is
  named with one;
- in a query value or a form field (and their names), any control character
  except the three that are whitespace, tab, line feed and carriage return: a
  400. Those three stay because text holds them. A textarea (a post, a comment,
  "about me") sends line breaks, and a paste can put a tab in any box. The
  services fold whitespace where one line is meant (titles, tags, category
  names), and a username or an address that holds any is simply not one. A
  value that goes into a header, the ``next`` of a redirect, is checked whole
  by :func:`~microblog.blueprints.auth.redirects.is_safe_next`.
"""

from __future__ import annotations

import re

from flask import Flask, request
from flask_babel import _
from werkzeug.exceptions import BadRequest, NotFound

from microblog.blueprints.errors.handlers import error_response

# C0 controls, DEL and C1 controls: Unicode's category Cc.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The same, but for tab, line feed and carriage return.
CONTROL_BUT_WHITESPACE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The methods whose form is read (and so whose body is refused when too large, 413).
FORM_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def init_app(app: Flask) -> None:
    app.before_request(refuse_control_characters)


def refuse_control_characters():
    """The app's 404 or 400 page for a request carrying a control character; else None."""
    if CONTROL.search(request.path):
        return error_response(NotFound())
    if any(CONTROL_BUT_WHITESPACE.search(text) for text in _sent_text()):
        return error_response(BadRequest(), _(
            "What you sent holds control characters, which no text can contain. "
            "Please remove them and try again."))
    return None


def _sent_text():
    """Every name and value in the query string, and in a submitted form."""
    sources = [request.args]
    if request.method in FORM_METHODS:
        sources.append(request.form)
    for source in sources:
        for name, value in source.items(multi=True):
            yield name
            yield value
