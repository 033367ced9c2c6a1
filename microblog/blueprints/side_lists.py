"""Explore's featured articles and the lists beside its posts, rendered once for everyone.

They show the same to every visitor: no like buttons, no forms, nothing of the
visitor's own. Their data was already cached (:mod:`microblog.services.timelines`),
yet rendering them (two dozen links, labels and translations) was still a fifth of
Explore's work on every view. So the HTML is cached too, with
:func:`microblog.caching.cached`, under the same namespaces as the data it shows:
a new article, a like or a renamed category makes a new key, and the next view
renders them afresh. The language is in the key, as it is in the cards'.

The templates (``_featured.html``, ``_side_lists.html``) must not read the visitor or
the request: what they render is served to everyone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import render_template
from flask_babel import get_locale
from markupsafe import Markup

from microblog.caching import CATEGORIES, ENGAGEMENT, POSTS, cached
from microblog.services import timelines


def featured() -> Markup:
    """The featured articles' section, or nothing when none is featured."""
    return _shared("_featured.html", lambda: {"featured": timelines.featured()},
                   depends_on=[POSTS, CATEGORIES])


def side_lists() -> Markup:
    """Recent articles, popular this week, and the categories with their counts."""
    return _shared("_side_lists.html", lambda: {
        "recent": timelines.recent_articles(), "popular": timelines.popular(),
        "categories": timelines.categories_with_counts(),
    }, depends_on=[POSTS, ENGAGEMENT, CATEGORIES],
        # As often as the popular list itself is recomputed.
        timeout=timelines.POPULAR_REFRESH_SECONDS)


def _shared(template: str, context: Callable[[], dict], depends_on: Iterable[str],
            timeout: int | None = None) -> Markup:
    """``template`` rendered with ``context()``, once per language and version of
    ``depends_on``."""
    html = cached(f"html:{template}:{get_locale()}",
                  lambda: render_template(template, **context()), depends_on, timeout)
    return Markup(html)
