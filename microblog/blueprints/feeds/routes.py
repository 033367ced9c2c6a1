"""Views of the feeds blueprint, and the files crawlers ask for (robots.txt, favicon.ico).

A feed is the same for everyone, so its whole body is cached (per language, as
its titles are translated) and rebuilt only after the posts or categories it
shows change. Links are absolute on ``SITE_URL``, never on the request's
``Host`` header: a feed reader keeps them, and a cached body is served to
everyone, so a forged Host must not get into it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import _, get_locale

from microblog.blueprints.feeds import bp
from microblog.caching import CATEGORIES, POSTS, cached
from microblog.mailer import link
from microblog.models.base import utcnow
from microblog.services import accounts, categories, timelines

ATOM = "application/atom+xml"
# Characters XML 1.0 forbids even escaped; a post could hold one, the feed must still parse.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml(template: str, **context) -> str:
    return NOT_XML.sub("", render_template(template, url=link, **context))


def respond(body: str, mimetype: str) -> Response:
    """``body``, or 304 Not Modified to a reader that already has it (feed readers poll)."""
    response = Response(body, mimetype=mimetype)
    response.add_etag()
    return response.make_conditional(request)


def feed(key: str, title: str, self_url: str, page_url: str,
         posts: Callable[[], list], fallback_updated: Callable[[], datetime]) -> Response:
    """The Atom feed cached under ``key``: the newest ``posts()``, ``FEED_ENTRIES`` of them."""

    def compute() -> str:
        entries = posts()
        updated = max((p.edited_at or p.published_at for p in entries),
                      default=None) or fallback_updated()
        return xml("feeds/atom.xml", title=title, self_url=self_url, page_url=page_url,
                   entries=entries, updated=updated)

    body = cached(f"feed:{key}:{get_locale()}", compute, depends_on=[POSTS, CATEGORIES])
    return respond(body, ATOM)


def entries() -> int:
    return current_app.config["FEED_ENTRIES"]


@bp.get("/feed.atom")
def site():
    return feed("site", _("Microblog: newest posts"), link("feeds.site"), link("main.explore"),
                lambda: timelines.newest(entries()), utcnow)


@bp.get("/user/<username>/feed.atom")
def user(username: str):
    author = accounts.get_user(username)
    return feed(f"user:{author.id}", _("Posts by %(username)s", username=author.username),
                link("feeds.user", username=author.username),
                link("main.user", username=author.username),
                lambda: timelines.newest(entries(), author=author), lambda: author.created_at)


@bp.get("/category/<slug>/feed.atom")
def category(slug: str):
    found = categories.get_by_slug(slug)
    return feed(f"category:{found.id}", _("Category: %(name)s", name=found.name),
                link("feeds.category", slug=found.slug), link("blog.category", slug=found.slug),
                lambda: timelines.newest(entries(), category=found), lambda: found.created_at)


@bp.get("/sitemap.xml")
def sitemap():
    limit = current_app.config["SITEMAP_MAX_URLS"]
    body = cached("sitemap", lambda: xml("feeds/sitemap.xml",
                                         entries=timelines.permalinks(limit)),
                  depends_on=[POSTS])
    return respond(body, "application/xml")


# Pages a search engine has no use for: forms, and what only the signed-in see.
NOT_FOR_CRAWLERS = ["/auth/", "/settings", "/admin/", "/edit_profile", "/search"]


@bp.get("/robots.txt")
def robots():
    """What crawlers may read, and where the sitemap of every post is."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in NOT_FOR_CRAWLERS),
             f"Sitemap: {link('feeds.sitemap')}"]
    response = Response("\n".join(lines) + "\n", mimetype="text/plain")
    response.cache_control.public, response.cache_control.max_age = True, 24 * 60 * 60
    return response


@bp.get("/favicon.ico")
def favicon():
    """Clients that never read the page's ``<link rel="icon">`` (feed readers, old
    browsers) ask for /favicon.ico: send them to the icon there is."""
    return redirect(url_for("static", filename="favicon.svg"), 301)
