"""Slots: the visitor's own values in HTML that is kept for many visitors.

A cached card is shown to everyone, but its like form must carry *this* visitor's
CSRF token (another's would be refused, and would leak it) and come back to the
page *this* visitor is on. So a template writes such a value as
``{{ slot("csrf_token") }}``:

- rendered for this request alone (no cache, or outside a ``{% cached %}`` piece),
  ``slot()`` is simply the value, from :data:`SLOTS`;
- rendered into a piece that will be kept, it is a placeholder instead, and
  :func:`fill_slots`, run after every request, writes this request's values into
  the finished page.

A placeholder is random for each process, so no post can contain one, and is made
of letters, digits and hyphens, which HTML escaping leaves as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from uuid import uuid4

from flask import Response, g, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape


def _own_profile() -> str:
    return url_for("main.user", username=current_user.username) \
        if current_user.is_authenticated else ""


# Each slot's value for this request. The search words come last: they are typed by
# the visitor, so no other slot is looked for inside them.
SLOTS: dict[str, Callable[[], str]] = {
    "csrf_token": generate_csrf,
    "this_page": lambda: request.full_path.rstrip("?"),  # where a like comes back to
    "own_profile": _own_profile,
    "search_words": lambda: request.args.get("q", ""),
}

_SECRET = uuid4().hex
PLACEHOLDERS = {name: f"slot-{name.replace('_', '-')}-{_SECRET}" for name in SLOTS}


def slot(name: str) -> str:
    """This request's value for ``name``, or its placeholder in a piece being kept."""
    if g.get("rendering_for_everyone"):
        return Markup(PLACEHOLDERS[name])
    return SLOTS[name]()


@contextmanager
def placeholders() -> Iterator[None]:
    """While rendering a piece that will be kept: ``slot()`` gives placeholders."""
    outer = g.get("rendering_for_everyone", False)
    g.rendering_for_everyone = True
    try:
        yield
    finally:
        g.rendering_for_everyone = outer


def fill_slots(response: Response) -> Response:
    """This request's values in the placeholders of an HTML page (registered as an
    ``after_request`` step when the render cache is on)."""
    if response.direct_passthrough or response.mimetype != "text/html":
        return response
    html = response.get_data(as_text=True)
    if _SECRET not in html:
        return response
    response.set_data(filled(html))
    return response


def filled(html: str) -> str:
    """``html`` with this request's values in its placeholders: for HTML that travels
    inside another answer (the comment cards of ``/post/<id>/comments/live``'s JSON),
    which :func:`fill_slots` does not look into."""
    if _SECRET not in html:
        return html
    for name, placeholder in PLACEHOLDERS.items():
        if placeholder in html:
            html = html.replace(placeholder, escape(SLOTS[name]()))
    return html
