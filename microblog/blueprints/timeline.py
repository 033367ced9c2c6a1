"""Rendering a page of posts, the same way on every page that lists them."""

from flask import render_template
from flask_login import current_user

from microblog.blueprints.cards import fill_holes
from microblog.pagination import Page
from microblog.services import likes


def render_timeline(template: str, page: Page, **context) -> str:
    """``template`` with ``page`` and ``liked``, the ids of the posts on it that the
    visitor liked (one query for the whole page; ``_post.html`` reads it), and the
    visitor's own values in the holes of its cached post cards."""
    return fill_holes(render_template(template, page=page,
                                      liked=likes.liked_ids(current_user, page.items), **context))
