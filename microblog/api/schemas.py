"""What the API reads and writes, as marshmallow schemas (APIFlask turns them into the
OpenAPI document's components).

The user representation and the collection envelope keep chapter 23's shape, so the
tutorial can be read beside them: a user has ``_links`` to itself, its followers,
the people it follows and its avatar; a list has ``items``, ``_meta`` and ``_links``.
Every field carries an example; ``tests/integration/api/test_openapi.py`` checks that
each documented example is valid against its own schema.

The rules about the values (how long a username may be, what a post needs) are the
services'; these schemas say only what shape the JSON has, so a wrong type is a 422
before any service runs and every rule is still checked in one place.
"""

from __future__ import annotations

from contextvars import ContextVar

from apiflask import Schema
from apiflask.fields import Boolean, DateTime, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range
from flask import current_app

from microblog.integers import MAX_ID
from microblog.models.user import ABOUT_ME_MAX_LENGTH, EMAIL_MAX_LENGTH, USERNAME_MAX_LENGTH
from microblog.services.accounts import PASSWORD_MAX_LENGTH

WHEN = "2026-12-07T11:45:00Z"


def example(value):
    return {"metadata": {"example": value}}


# --- what the API answers -------------------------------------------------------------------

_dumping = ContextVar("dumping", default=False)


class Shown(Schema):
    """A schema of what the API answers: it documents the dicts that
    :mod:`microblog.api.representations` builds, which are in this shape already.

    APIFlask passes a view's answer through its output schema's ``dump``, which walks
    every field of every item to build the same dict again: a fifth of a page of posts'
    time. So ``dump`` gives the dict back as it is. That is only right while the
    representations keep the documented shape exactly (``_links``, ``_meta``, nothing
    undocumented), so with ``API_CHECK_REPRESENTATIONS`` on (the tests), every answer is
    also dumped by marshmallow and must come out the same on the wire.
    """

    def dump(self, obj, *, many=None):
        if _dumping.get():  # inside the check: marshmallow's dump, nested schemas too
            return super().dump(obj, many=many)
        if current_app.config["API_CHECK_REPRESENTATIONS"]:
            started = _dumping.set(True)
            try:
                dumped = super().dump(obj, many=many)
            finally:
                _dumping.reset(started)
            as_sent, as_documented = current_app.json.dumps(obj), current_app.json.dumps(dumped)
            if as_sent != as_documented:
                raise AssertionError(f"{type(self).__name__}: the representation\n{as_sent}\n"
                                     f"is not what the schema writes:\n{as_documented}")
        return obj


# --- the envelope -------------------------------------------------------------------------


class PageQuery(Schema):
    page = Integer(load_default=1, validate=Range(min=1, max=MAX_ID), **example(1))
    # Larger values are cut to 100 (API_MAX_PER_PAGE).
    per_page = Integer(validate=Range(min=1, max=MAX_ID), **example(25))


class Meta(Shown):
    page = Integer(required=True, **example(1))
    per_page = Integer(required=True, **example(25))
    # Null where counting would read the whole list (a timeline of a million posts).
    total_pages = Integer(allow_none=True, **example(4))
    total_items = Integer(allow_none=True, **example(87))


class PageLinks(Shown):
    self = String(required=True, **example("/api/users?page=2&per_page=25"))
    next = String(allow_none=True, **example("/api/users?page=3&per_page=25"))
    prev = String(allow_none=True, **example("/api/users?page=1&per_page=25"))


# --- users ----------------------------------------------------------------------------------


class UserLinks(Shown):
    self = String(required=True, **example("/api/users/7"))
    followers = String(required=True, **example("/api/users/7/followers"))
    following = String(required=True, **example("/api/users/7/following"))
    avatar = String(required=True, **example("/avatar/3f2a9c.svg"))


class UserOut(Shown):
    id = Integer(required=True, **example(7))
    username = String(required=True, **example("susan"))
    # Only in the account owner's own representation.
    email = String(**example("susan@example.com"))
    last_seen = DateTime(required=True, **example(WHEN))
    about_me = String(allow_none=True, **example("I write about birds."))
    post_count = Integer(required=True, **example(12))
    follower_count = Integer(required=True, **example(30))
    following_count = Integer(required=True, **example(5))
    links = Nested(UserLinks, data_key="_links", attribute="_links", required=True)


class UserPage(Shown):
    items = List(Nested(UserOut), required=True)
    meta = Nested(Meta, data_key="_meta", attribute="_meta", required=True)
    links = Nested(PageLinks, data_key="_links", attribute="_links", required=True)


class NewUser(Schema):
    username = String(required=True, validate=Length(max=USERNAME_MAX_LENGTH),
                      **example("susan"))
    email = String(required=True, validate=Length(max=EMAIL_MAX_LENGTH),
                   **example("susan@example.com"))
    password = String(required=True, validate=Length(max=PASSWORD_MAX_LENGTH),
                      **example("correct horse battery"))


class UserChanges(Schema):
    username = String(validate=Length(max=USERNAME_MAX_LENGTH), **example("susan"))
    about_me = String(validate=Length(max=ABOUT_ME_MAX_LENGTH * 4),
                      **example("I write about birds."))


class Registered(Shown):
    detail = String(required=True, **example(
        "Check your email for the link that confirms your address."))


# --- tokens ---------------------------------------------------------------------------------


class Tokens(Shown):
    access_token = String(required=True, **example("h3bA0E4kq1wq3v6YkQy2b7h1m9Jt2sQf5nA8dW0xZcE"))
    refresh_token = String(required=True, **example("Ww2p8sYx9L0aQ3bN7cR1dT5eF6gH4jK2mZ8vX0nB3qU"))
    token_type = String(required=True, **example("Bearer"))
    expires_in = Integer(required=True, **example(900))


class RefreshRequest(Schema):
    # Or nothing here, and the refresh_token cookie (path /api/tokens) instead.
    refresh_token = String(validate=Length(max=64), **example(
        "Ww2p8sYx9L0aQ3bN7cR1dT5eF6gH4jK2mZ8vX0nB3qU"))


# --- posts ----------------------------------------------------------------------------------


class Author(Shown):
    id = Integer(required=True, **example(7))
    username = String(required=True, **example("susan"))
    avatar = String(required=True, **example("/avatar/3f2a9c.svg"))


class PostLinks(Shown):
    self = String(required=True, **example("/api/posts/42"))
    author = String(required=True, **example("/api/users/7"))
    html = String(required=True, **example("/post/42"))


class PostOut(Shown):
    id = Integer(required=True, **example(42))
    kind = String(required=True, validate=OneOf(["status", "article"]), **example("status"))
    title = String(allow_none=True, **example(None))
    body = String(**example("Hello, #flask!"))
    body_html = String(required=True, **example("<p>Hello, <a href=\"/tag/flask\">#flask</a>!</p>"))
    published_at = DateTime(allow_none=True, **example(WHEN))
    edited_at = DateTime(allow_none=True, **example(None))
    draft = Boolean(required=True, **example(False))
    comment_count = Integer(required=True, **example(3))
    like_count = Integer(required=True, **example(10))
    liked = Boolean(allow_none=True, **example(False))
    category = String(allow_none=True, **example(None))
    tags = List(String(), **example(["flask"]))
    author = Nested(Author, required=True)
    links = Nested(PostLinks, data_key="_links", attribute="_links", required=True)


class PostPage(Shown):
    items = List(Nested(PostOut), required=True)
    meta = Nested(Meta, data_key="_meta", attribute="_meta", required=True)
    links = Nested(PageLinks, data_key="_links", attribute="_links", required=True)


class NewPost(Schema):
    # A status has a body only; an article has a title too (and maybe a category, tags).
    body = String(required=True, validate=Length(max=100_000), **example("Hello, #flask!"))
    title = String(validate=Length(max=1000), **example(None), allow_none=True)
    category_id = Integer(allow_none=True, validate=Range(min=1, max=MAX_ID),
                          **example(None))
    tags = String(validate=Length(max=1000), **example(""))
    # An article may be kept as a draft, seen by its author alone, until published.
    draft = Boolean(load_default=False, **example(False))


class PostChanges(Schema):
    body = String(required=True, validate=Length(max=100_000), **example("Hello again, #flask!"))
    title = String(validate=Length(max=1000), allow_none=True, **example(None))
    category_id = Integer(allow_none=True, validate=Range(min=1, max=MAX_ID),
                          **example(None))
    tags = String(validate=Length(max=1000), **example(""))


class PostsQuery(PageQuery):
    # The pager's keyset cursors, as the HTML pages use them (microblog/pagination.py).
    before = String(validate=Length(max=40), **example("1765107900000000.42"))
    after = String(validate=Length(max=40), **example("1765107900000000.42"))


# --- problems (microblog/api/errors.py) -----------------------------------------------------


PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "example": "about:blank"},
        "title": {"type": "string", "example": "Not Found"},
        "status": {"type": "integer", "example": 404},
        "detail": {"type": "string", "example": "There is no such post."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"username": ["That username is taken. Please choose another."]},
        },
    },
}


# --- comments -------------------------------------------------------------------------------


class CommentLinks(Shown):
    self = String(required=True, **example("/api/comments/9"))
    post = String(required=True, **example("/api/posts/42"))


class CommentOut(Shown):
    id = Integer(required=True, **example(9))
    body_html = String(required=True, **example("<p>Nice one!</p>"))
    body = String(**example("Nice one!"))
    created_at = DateTime(required=True, **example(WHEN))
    edited_at = DateTime(allow_none=True, **example(None))
    author = Nested(Author, required=True)
    links = Nested(CommentLinks, data_key="_links", attribute="_links", required=True)


class CommentPage(Shown):
    items = List(Nested(CommentOut), required=True)
    meta = Nested(Meta, data_key="_meta", attribute="_meta", required=True)
    links = Nested(PageLinks, data_key="_links", attribute="_links", required=True)


class CommentIn(Schema):
    body = String(required=True, validate=Length(max=100_000), **example("Nice one!"))


# --- categories -----------------------------------------------------------------------------


class CategoryOut(Shown):
    slug = String(required=True, **example("python"))
    name = String(required=True, **example("Python"))
    posts = String(required=True, **example("/api/categories/python/posts"))


class CategoryList(Shown):
    items = List(Nested(CategoryOut), required=True)


# --- moderation -----------------------------------------------------------------------------


class RoleIn(Schema):
    # user, moderator or admin: the moderation service says which names it knows.
    role = String(required=True, validate=Length(max=32), **example("moderator"))


class AccountState(Shown):
    id = Integer(required=True, **example(7))
    username = String(required=True, **example("susan"))
    role = String(required=True, **example("moderator"))
    disabled = Boolean(required=True, **example(False))


# --- notifications --------------------------------------------------------------------------


class NotificationOut(Shown):
    id = Integer(required=True, **example(31))
    kind = String(required=True, **example("like"))
    text = String(required=True, **example("alice and 3 others liked your post “Birds”"))
    created_at = DateTime(required=True, **example(WHEN))
    read = Boolean(required=True, **example(False))
    count = Integer(required=True, **example(4))


class NotificationPage(Shown):
    items = List(Nested(NotificationOut), required=True)
    meta = Nested(Meta, data_key="_meta", attribute="_meta", required=True)
    links = Nested(PageLinks, data_key="_links", attribute="_links", required=True)
    unread = Integer(required=True, **example(2))


class NotificationsQuery(PageQuery):
    # An ISO 8601 time: only what came after it, oldest first (what a poller has not seen).
    since = DateTime(**example(WHEN))


# --- messages -------------------------------------------------------------------------------


class MessageOut(Shown):
    id = Integer(required=True, **example(120))
    sender = Nested(Author, required=True)
    body_html = String(required=True, **example("<p>See you at the meetup?</p>"))
    created_at = DateTime(required=True, **example(WHEN))


class ConversationOut(Shown):
    id = Integer(required=True, **example(5))
    other = Nested(Author, required=True)
    unread_count = Integer(required=True, **example(1))
    last_message = Nested(MessageOut, allow_none=True)
    messages = String(required=True, **example("/api/conversations/5/messages"))


class ConversationPage(Shown):
    items = List(Nested(ConversationOut), required=True)
    meta = Nested(Meta, data_key="_meta", attribute="_meta", required=True)
    links = Nested(PageLinks, data_key="_links", attribute="_links", required=True)


class MessageHistory(Shown):
    items = List(Nested(MessageOut), required=True)
    earlier = String(allow_none=True, **example("/api/conversations/5/messages?before=71"))


class HistoryQuery(Schema):
    before = Integer(validate=Range(min=1, max=MAX_ID), **example(71))


class MessageIn(Schema):
    recipient_id = Integer(required=True, validate=Range(min=1, max=MAX_ID), **example(7))
    body = String(required=True, validate=Length(max=100_000),
                  **example("See you at the meetup?"))


# --- tasks ----------------------------------------------------------------------------------


class TaskOut(Shown):
    id = String(required=True, **example("9f1c2e7a4b6d8e0f1a2b3c4d5e6f7a8b"))
    name = String(required=True, **example("export_data"))
    state = String(required=True, **example("running"))
    progress = Integer(required=True, **example(40))
    error = String(allow_none=True, **example(None))
    download = String(allow_none=True, **example(None))


# --- search ---------------------------------------------------------------------------------


class SearchQueryIn(PageQuery):
    q = String(required=True, validate=Length(min=1, max=200), **example("flask"))
