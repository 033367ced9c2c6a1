"""What each kept piece of HTML depends on: one key function per kind of piece.

A key names *everything* its template shows, apart from slots. If any of it changes,
so does the key, and the piece is rendered afresh; so a template wrapped in
``{% cached %}`` may read only what its key function names here (and the language,
which :func:`~microblog.fragments.render_cached` adds to every key). Adding a field to
a card means adding it to its key.

Each is given the visitor the page is rendered for (``current_user``, or an anonymous
visitor), then the objects the tag named.

A change made behind the ORM's back (raw SQL) must move ``updated_at`` too, or a
worker keeps showing the card it rendered before.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask_login import AnonymousUserMixin
from flask_wtf import FlaskForm

from microblog.models.comment import Comment
from microblog.models.post import Post
from microblog.models.role import Permission
from microblog.models.user import User
from microblog.services import comments, translations
from microblog.services.permissions import can


def post_card(visitor: User | AnonymousUserMixin, post: Post) -> tuple:
    """``_post.html``: the post's version and counts, its author's name, email and
    uploaded picture (what their avatar shows), its category, which like button the
    visitor gets, its language and whether the visitor is offered a translation (which
    hangs on their language, their being signed in, and a translator being configured)."""
    if not visitor.is_authenticated:
        like_button = "none"  # a count, no form
    else:
        like_button = "liked" if post.liked_by_viewer else "not-liked"
    category = post.category
    return (post.id, post.updated_at, post.comment_count, post.like_count,
            post.author.username, post.author.email, post.author.avatar_file,
            (category.slug, category.name) if category else None, like_button,
            post.language, translations.offers(visitor, post.language))


def comment_card(visitor: User | AnonymousUserMixin, comment: Comment, post: Post) -> tuple:
    """``blog/_comment.html``: the comment's version, its author, the "author" badge,
    which tools (edit, delete) the rules give this visitor, and, as for a post, its
    language and whether a translation is offered."""
    return (comment.id, comment.updated_at, comment.author.username, comment.author.email,
            comment.author.avatar_file, comment.user_id == post.user_id,
            comments.may_edit(visitor, comment), comments.may_delete(visitor, comment),
            comment.language, translations.offers(visitor, comment.language))


def api_post(post: Post) -> tuple:
    """A post in the API (``microblog.api.representations:post``), the part that is the
    same for every caller: its version (which moves with its words, its state and its
    category), its author's name, email and uploaded picture (the avatar's address), and
    its category's slug. Its counts and whether the caller liked it are not kept."""
    category = post.category
    return (post.id, post.updated_at, post.author.username, post.author.email,
            post.author.avatar_file, category.slug if category is not None else None)


def navbar(visitor: User | AnonymousUserMixin) -> tuple:
    """``_navbar.html``: the kind of visitor (logged out, or a member and which links
    their role grants, and their unread counts) and the page shown, whose link is marked."""
    if not visitor.is_authenticated:
        return ("anonymous", request.endpoint)
    own_profile = request.endpoint == "main.user" and \
        (request.view_args or {}).get("username") == visitor.username
    return ("member", can(visitor, Permission.WRITE), can(visitor, Permission.MODERATE),
            request.endpoint, own_profile, visitor.unread_message_count,
            visitor.unread_notification_count)


# Fields whose data is the form's own, not something the visitor typed.
_NOT_TYPED = frozenset({"CSRFTokenField", "SubmitField", "HiddenField"})


def blank_form(visitor: object, form: FlaskForm, action: str = "") -> tuple | None:
    """A form as a visitor first sees it (``quick_form``): the same for everyone, per
    kind of form and address it posts to. None for a form that carries anything of the
    visitor's (words typed, errors shown): that one is rendered for them alone."""
    typed = any(field.data for field in form if field.type not in _NOT_TYPED)
    if typed or form.errors or form.form_errors:
        return None
    return (type(form).__module__, type(form).__qualname__, action)


def same_for_everyone(visitor: object, *shown: list | bool) -> tuple:
    """Explore's featured articles and side lists show only what they are given (lists
    of frozen dataclasses from the shared cache, and a flag or two): that is the key."""
    return tuple(tuple(value) if isinstance(value, list) else value for value in shown)


KEYS: dict[str, Callable[..., tuple | None]] = {
    "post_card": post_card,
    "comment_card": comment_card,
    "api_post": api_post,
    "navbar": navbar,
    "blank_form": blank_form,
    "featured": same_for_everyone,
    "side_lists": same_for_everyone,
}
