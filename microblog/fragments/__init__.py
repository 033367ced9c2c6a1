"""The render cache: pieces of pages rendered once and reused, the only place that knows.

A timeline page is 25 post cards, a post's page up to 50 comment cards, and every
page has a navbar; rendering them (links, translations, forms) was most of a warm
page's work. Yet a card shows the same to everyone who sees that post in that
state, and the navbar differs only by kind of visitor. So a template marks such a
piece with the ``{% cached %}`` tag (:mod:`microblog.fragments.tag`)::

    {% for post in page.items %}
      {% cached "post_card", post %}{% include "_post.html" %}{% endcached %}
    {% endfor %}

and :func:`render_cached` renders what it wraps once, keeps the HTML in this
worker's memory (:data:`~microblog.extensions.fragments`, a least-recently-used
:class:`~microblog.caching.MemoryLRU`), and serves it again while the key is the same.

**The key names everything the piece shows** (:mod:`microblog.fragments.keys`): a
post card's key holds the post's version (``updated_at``, which every change to the
row moves), its counts, its author's name, its category, which like button the
visitor gets, and the language. A change makes a new key, so a piece is never stale
and nothing has to be invalidated: the old one is never asked for again and falls
out of memory.

**Slots for what is the visitor's own** (:mod:`microblog.fragments.slots`): the CSRF
token in a card's form, the page a like comes back to, the address of the visitor's
profile in the navbar. A template writes them with ``{{ slot("csrf_token") }}``;
inside a cached piece that is a placeholder, and one ``after_request`` step,
:func:`~microblog.fragments.slots.fill_slots`, writes this visitor's values into the
finished page.

**Parts of API answers too** (:func:`kept`): what every caller sees alike of a post in
the REST API, a dict rather than HTML, under a key of its own (``api_post``).

**It can be switched off**: with ``FRAGMENT_CACHE = False`` the tag renders what it
wraps every time, ``slot()`` gives the values themselves, and the pages are the same.
The test suite renders every page both ways.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, g, request
from flask_babel import get_locale
from markupsafe import Markup

from microblog.caching import MemoryLRU
from microblog.extensions import fragments
from microblog.fragments import keys, slots
from microblog.fragments.tag import CachedTag, RenderedTag

T = TypeVar("T")


def init_app(app: Flask) -> None:
    """The ``{% cached %}`` tag and ``slot()`` for the templates; with FRAGMENT_CACHE on,
    the memory that keeps the pieces and the step that fills their slots."""
    app.jinja_env.globals["slot"] = slots.slot
    if not app.config["FRAGMENT_CACHE"]:
        app.jinja_env.add_extension(RenderedTag)
        return
    app.jinja_env.add_extension(CachedTag)
    fragments.init_app(app, config={
        "CACHE_TYPE": "microblog.caching.MemoryLRU",
        "CACHE_THRESHOLD": app.config["FRAGMENT_CACHE_SIZE"],
        "CACHE_DEFAULT_TIMEOUT": 0,
    })
    app.after_request(slots.fill_slots)


def render_cached(kind: str, arguments: tuple, render: Callable[[], str]) -> Markup:
    """The HTML ``render()`` makes, kept under the key ``keys.KEYS[kind](*arguments)``
    gives (``arguments``: the visitor, then the objects the tag named), with the
    language and the site's root (a piece is translated and linked as it is rendered).

    The key function may answer None: then this piece is not shared (a form with words
    typed into it) and is rendered for this request alone.
    """
    named = keys.KEYS[kind](*arguments)
    if named is None:
        return Markup(render())
    memory, language, root = _this_request()
    key = (kind, language, root, *named)
    html = memory.get(key)
    if html is None:
        with slots.placeholders():
            html = str(render())
        memory.set(key, html)
    return Markup(html)


def kept(kind: str, arguments: tuple, build: Callable[[], T]) -> T:
    """What ``build()`` makes, kept under the key ``keys.KEYS[kind](*arguments)`` gives,
    with the site's root: a part of an API answer that is the same for every caller (a
    post's words, links and author, :mod:`microblog.api.representations`). Unlike a
    piece of HTML it speaks no language, so no locale is asked for (an API request has
    no reader's language to find). What is kept is shared by later requests: the
    caller must copy it, never change it. With FRAGMENT_CACHE off, ``build()`` every time.
    """
    if not current_app.config["FRAGMENT_CACHE"]:
        return build()
    key = (kind, request.script_root, *keys.KEYS[kind](*arguments))
    found = fragments.cache.get(key)
    if found is None:
        found = build()
        fragments.cache.set(key, found)
    return found


def _this_request() -> tuple[MemoryLRU, str, str]:
    """This worker's memory of pieces, and what every key of this request shares: found
    once per request (a page asks for fifty pieces), and again if the language changes
    within it (``flask_babel.force_locale``: a piece rendered in Spanish is never kept
    under English)."""
    locale = get_locale()
    found = g.get("fragments")
    if found is None or found[3] is not locale:
        found = g.fragments = (fragments.cache, str(locale), request.script_root, locale)
    return found[0], found[1], found[2]
