"""Post cards rendered once and reused: a timeline page is 25 of them.

Rendering a post card (``templates/_post.html``) costs about as much as everything
else on a timeline page together: links, translations and the like form, 25 times.
Yet the card is the same for everyone who sees that post in that state. So each
card is kept, as HTML, in this worker's memory (the ``{% cache %}`` block of
Flask-Caching, on the :data:`~microblog.extensions.fragments` cache).

**The key is the content.** :func:`card_key` names everything the card shows: the
post's version (``updated_at``, which every change to the row moves), its counts,
its author's name and picture, its category, the language, and what this visitor
sees of the like button. A change makes a new key, so a card is never stale and
nothing has to be invalidated; old cards are simply never asked for again and
fall out of the least-recently-used memory (:class:`MemoryLRU`).

**Holes for what is the visitor's own.** Two values in a card differ per visitor
and per page, not per post: the CSRF token of the like form and the page to come
back to after a like. The cached card holds a placeholder for each (:data:`HOLES`),
and :func:`fill_holes` puts in this request's values once the page is rendered.
Without the holes, one visitor's token would be served to another.

A change made behind the ORM's back (raw SQL) must set ``updated_at`` too, or a
worker keeps showing the card it rendered before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any
from uuid import uuid4

from flask import Flask, request
from flask_babel import get_locale
from flask_caching.backends.base import BaseCache
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from microblog.extensions import fragments
from microblog.models.post import Post

# Placeholders no post can contain: random for each process, made of letters and
# hyphens, which HTML escaping leaves as they are.
_SECRET = uuid4().hex
CSRF_HOLE = f"card-hole-csrf-{_SECRET}"
NEXT_HOLE = f"card-hole-next-{_SECRET}"
HOLES = {"csrf": CSRF_HOLE, "next": NEXT_HOLE}


def init_post_cards(app: Flask) -> None:
    """The card memory of this process, and the names ``_post.html`` uses."""
    fragments.init_app(app, config={
        "CACHE_TYPE": "microblog.blueprints.post_cards.MemoryLRU",
        "CACHE_THRESHOLD": app.config["POST_CARD_CACHE_SIZE"],
        "CACHE_DEFAULT_TIMEOUT": 0,
    })
    app.jinja_env.globals.update(card_key=card_key, card_holes=HOLES)


def card_key(post: Post, liked: set[int]) -> str:
    """Everything ``_post.html`` shows of ``post``: if any of it changes, so does the key.

    The author's email is there because it is their picture when avatars come from
    Gravatar. The key stays in this process's memory, never in a page or a log.
    """
    author, category = post.author, post.category
    if not current_user.is_authenticated:
        viewer = "anonymous"
    else:
        viewer = "liked" if post.id in liked else "not-liked"
    return "|".join((
        str(post.id), post.updated_at.isoformat(), str(post.comment_count),
        str(post.like_count), author.username, author.email,
        f"{category.slug}:{category.name}" if category else "", str(get_locale()), viewer,
    ))


def fill_holes(html: str) -> str:
    """``html`` with this request's values in the holes of its cards."""
    return html.replace(CSRF_HOLE, escape(generate_csrf())).replace(
        NEXT_HOLE, escape(request.full_path.rstrip("?")))


class MemoryLRU(BaseCache):
    """At most ``threshold`` entries in this process; a full cache drops the one read
    longest ago. (Flask-Caching's SimpleCache sorts every entry on each insert once
    it is full, which a worker adding cards at every miss cannot afford.)"""

    def __init__(self, threshold: int, default_timeout: int = 0) -> None:
        super().__init__(default_timeout=default_timeout)
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._threshold = threshold
        self._lock = threading.Lock()  # OrderedDict is not safe across threads

    @classmethod
    def factory(cls, app: Flask, config: dict, args: list, kwargs: dict) -> MemoryLRU:
        return cls(config["CACHE_THRESHOLD"])

    def get(self, key: str) -> Any:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        """Keep ``value`` (``timeout`` is ignored: entries leave by age of use only)."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._threshold:
                self._entries.popitem(last=False)
        return True

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        with self._lock:
            if key in self._entries:
                return False
        return self.set(key, value)

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._entries.pop(key, None) is not None

    def has(self, key: str) -> bool:
        with self._lock:
            return key in self._entries

    def clear(self) -> bool:
        with self._lock:
            self._entries.clear()
        return True

    def __len__(self) -> int:
        return len(self._entries)
