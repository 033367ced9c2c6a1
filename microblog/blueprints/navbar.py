"""The navigation bar at the top of every page, rendered once per kind of visitor.

Rendering it (a dozen links, labels and translations) was about an eighth of a
page's work, on every page. Yet it differs between visitors in only a few ways:
logged in or not, which links their role grants (Write and Drafts, Admin), which
link is the page being shown, the language. So it is rendered once for each such
kind, kept in this worker's memory (the :data:`~microblog.extensions.fragments`
cache, beside the cards), and what is the visitor's very own (the address of their
profile, their CSRF token, what they searched for) is written into holes on each
request, the cards' holes (:func:`microblog.blueprints.cards.hole`).

``templates/_navbar.html`` therefore must not read the visitor or the request: all
it knows comes from :func:`navbar`, and everything it is given is in the key.
"""

from __future__ import annotations

from flask import Flask, render_template, request, url_for
from flask_babel import get_locale
from flask_login import AnonymousUserMixin, current_user
from markupsafe import Markup, escape

from microblog.blueprints.cards import CSRF_HOLE, fill_holes, hole
from microblog.extensions import fragments
from microblog.models.role import Permission
from microblog.models.user import User
from microblog.services.permissions import can

# The endpoints the navbar links to (and the search page, whose box shows the words
# searched for): the page shown is marked only if it is one of these.
LINKED = frozenset({
    "main.index", "main.explore", "main.search", "auth.login", "auth.register",
    "blog.write", "blog.drafts", "admin.users", "settings.index",
})
HOLES = {"profile": hole("profile"), "csrf": CSRF_HOLE, "search": hole("search")}


def init_navbar(app: Flask) -> None:
    app.jinja_env.globals["navbar"] = navbar


def navbar() -> Markup:
    """This visitor's navbar: the one kept for their kind, with their own values in it."""
    visitor = current_user._get_current_object()
    kind = {"current": _current(visitor), "visitor": "member", "can_write": False,
            "can_moderate": False}
    if visitor.is_anonymous:
        kind["visitor"] = "anonymous"
    else:
        kind["can_write"] = can(visitor, Permission.WRITE)
        kind["can_moderate"] = can(visitor, Permission.MODERATE)
    key = repr(("_navbar.html", request.script_root, str(get_locale()), *kind.values()))
    html = fragments.get(key)
    if html is None:
        html = render_template("_navbar.html", holes=HOLES, **kind)
        fragments.set(key, html)
    # The token first: the words typed go in last, so no hole is looked for inside them.
    html = fill_holes(html)
    if not visitor.is_anonymous:
        html = html.replace(HOLES["profile"], escape(url_for("main.user",
                                                             username=visitor.username)))
    if kind["current"] == "main.search":
        html = html.replace(HOLES["search"], escape(request.args.get("q", "")))
    return Markup(html)


def _current(visitor: User | AnonymousUserMixin) -> str | None:
    """The endpoint of the navbar's link to the page being shown, if it has one."""
    if request.endpoint == "main.user":  # "Profile": the visitor's own profile only
        own = visitor.is_authenticated and \
            (request.view_args or {}).get("username") == visitor.username
        return "main.user" if own else None
    return request.endpoint if request.endpoint in LINKED else None
