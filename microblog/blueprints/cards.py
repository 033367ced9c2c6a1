"""Cards rendered once and reused: the posts in a timeline, the comments under a post.

A timeline page is 25 post cards (``templates/_post.html``) and a post's page up
to 50 comment cards (``templates/blog/_comment.html``). Rendering them (links,
translations, forms) cost about as much as everything else on the page together,
yet a card is the same for everyone who sees that post or comment in that state.
So each card is kept, as HTML, in this worker's memory (the
:data:`~microblog.extensions.fragments` cache), and a page asks for all of its
cards at once: ``{{ post_cards(page.items, liked) }}`` or
``{{ comment_cards(comments.items, post) }}`` in a template (:func:`cards`).
Only a card not found is rendered, from its own template.

**The key is the content.** :func:`post_card_key` and :func:`comment_card_key`
name everything their card shows: the row's version (``updated_at``, which every
change to the row moves), counts, the author's name and picture, the category,
the language, and which buttons this visitor gets. A change makes a new key, so
a card is never stale and nothing has to be invalidated; old cards are simply
never asked for again and fall out of the least-recently-used memory
(:class:`microblog.caching.MemoryLRU`).

**Holes for what is the visitor's own.** Two values in a card differ per visitor
and per page, not per card: the CSRF token of its forms and the page to come back
to after a like. The cached card holds a placeholder for each (:data:`HOLES`), and
:func:`fill_holes` puts in this request's values once the page is rendered.
Without the holes, one visitor's token would be served to another.

A change made behind the ORM's back (raw SQL) must set ``updated_at`` too, or a
worker keeps showing the card it rendered before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import uuid4

from flask import Flask, render_template, request
from flask_babel import get_locale
from flask_login import AnonymousUserMixin, current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from microblog.extensions import fragments
from microblog.models.post import Post
from microblog.models.user import User
from microblog.services import comments, timelines
from microblog.services.comments import CommentHeader
from microblog.services.timelines import PostHeader

_SECRET = uuid4().hex


def hole(name: str) -> str:
    """A placeholder for the visitor's ``name`` in HTML kept for many visitors: random
    for each process, so no post can contain one, and made of letters and hyphens,
    which HTML escaping leaves as they are."""
    return f"hole-{name}-{_SECRET}"


CSRF_HOLE = hole("csrf")
NEXT_HOLE = hole("next")
HOLES = {"csrf": CSRF_HOLE, "next": NEXT_HOLE}


def init_cards(app: Flask) -> None:
    """The card memory of this process, and the functions the page templates call."""
    fragments.init_app(app, config={
        "CACHE_TYPE": "microblog.caching.MemoryLRU",
        "CACHE_THRESHOLD": app.config["CARD_CACHE_SIZE"],
        "CACHE_DEFAULT_TIMEOUT": 0,
    })
    app.jinja_env.globals.update(post_cards=post_cards, comment_cards=comment_cards,
                                 card_holes=HOLES)


def post_cards(page_posts: Sequence[PostHeader], liked: set[int]) -> Markup:
    """The cards of a page of posts (``_post.html``); ``liked``: the ids the visitor
    liked. The page has the posts' headers; only those whose cards are missing are
    loaded whole."""
    return cards("_post.html", page_posts, lambda post, viewer: post_card_key(post, liked, viewer),
                 "post", load=timelines.whole, liked=liked)


def comment_cards(page_comments: Sequence[CommentHeader], post: Post) -> Markup:
    """The cards of a page of ``post``'s comments (``blog/_comment.html``): the page
    has their headers, and only the comments whose cards are missing are loaded whole."""
    viewer = _viewer()
    may_edit, may_delete = comments.which_may_edit(viewer), comments.which_may_delete(viewer, post)
    return cards("blog/_comment.html", page_comments,
                 lambda comment, _: comment_card_key(comment, post, may_edit, may_delete),
                 "comment", load=lambda headers: comments.whole(post, headers), post=post)


def cards(template: str, items: Sequence[Any], key: Callable[[Any, Any], tuple], name: str,
          load: Callable[[list[Any]], list[Any]], **context: Any) -> Markup:
    """The card of each item, from memory where it was rendered before.

    ``items`` hold only what the keys need (headers); ``key(item, viewer)`` names
    everything the card shows to this visitor. All the keys are looked up together.
    For the cards not found, ``load(missing)`` gives what the template needs, all in
    one go, in their order (None for one that has gone since); each is rendered from
    ``template`` with it as ``name`` (and ``context``), and kept.
    """
    viewer = _viewer()
    language = str(get_locale())
    keys = [repr((template, *key(item, viewer), language)) for item in items]
    html = list(fragments.get_many(*keys))
    missing = [n for n, card in enumerate(html) if card is None]
    if missing:
        wanted = [items[n] for n in missing]
        for n, item in zip(missing, load(wanted), strict=True):
            if item is None:
                html[n] = ""
                continue
            html[n] = render_template(template, **{name: item}, **context)
            fragments.set(keys[n], html[n])
    return Markup("".join(html))


def post_card_key(post: PostHeader, liked: set[int],
                  viewer: User | AnonymousUserMixin) -> tuple:
    """Everything ``_post.html`` shows of ``post``: if any of it changes, so does the key.

    The author's email is in it because it is their picture when avatars come from
    Gravatar. (Keys stay in this process's memory, never in a page or a log.)"""
    if not viewer.is_authenticated:
        like_button = "none"  # a count, no form
    else:
        like_button = "liked" if post.id in liked else "not-liked"
    return (post.id, post.updated_at, post.comment_count, post.like_count,
            post.author_name, post.author_email,
            f"{post.category_slug}:{post.category_name}" if post.category_slug else "",
            like_button)


def comment_card_key(comment: CommentHeader, post: Post, may_edit: comments.Rule,
                     may_delete: comments.Rule) -> tuple:
    """Everything ``blog/_comment.html`` shows of ``comment``, including which of its
    tools (edit, delete) the visitor gets: the services' rules for this visitor and post
    (``comments.which_may_edit``, ``which_may_delete``), asked of this comment."""
    return (comment.id, comment.updated_at, comment.author_name, comment.author_email,
            comment.user_id == post.user_id,  # the "author" badge
            may_edit(comment), may_delete(comment))


def _viewer() -> User | AnonymousUserMixin:
    """The visitor itself, not the ``current_user`` proxy: the rules read a dozen of its
    attributes per card, and each read through the proxy looks the user up again."""
    return current_user._get_current_object()


def fill_holes(html: str) -> str:
    """``html`` with this request's values in the holes of its cards (and of anything
    else kept with :data:`CSRF_HOLE` or :data:`NEXT_HOLE` in it, like the navbar)."""
    return html.replace(CSRF_HOLE, escape(generate_csrf())).replace(
        NEXT_HOLE, escape(request.full_path.rstrip("?")))
