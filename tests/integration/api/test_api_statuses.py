"""Every status the OpenAPI document lists for every operation, each provoked by a real
request.

``/api/openapi.json`` says, for each operation, which statuses it may answer. A client
is written against that list, so each entry must be true: this module has a case for
every (operation, documented status) pair, sends its request to the app, and checks
that the answer has that status and the body the document describes for it (for an
error, a problem: ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail``, and ``errors`` for a 422). Two tests keep the table and the document in
step: a documented pair without a case fails, and so does a case for a status the
document does not list.

A case reads as a line of the table:

    Case("DELETE /api/posts/{post_id}", 403, "someone else's post",
         lambda w: w.delete(f"/api/posts/{w.others_status.id}", by=w.you))

``w`` is a :class:`~tests.integration.api.world.World`: the people and things the
request is about, made on first use. Each operation has one request that succeeds
(``OPERATIONS``); the statuses any request may meet are made from it by the builders
below (``GENERIC``), the same way for every operation; the rest, the operation's own
rules, are written out one by one (``SPECIFIC``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from werkzeug.http import HTTP_STATUS_CODES

from microblog import jobs
from microblog.extensions import limiter
from tests.conftest import PASSWORD
from tests.integration.api.conftest import ApiClient, assert_problem, resolve_refs
from tests.integration.api.world import UNKNOWN_ID, Call, World

# Who may send an operation: a token is needed; optional (without one, you are anonymous);
# or it is not what the operation takes (HTTP Basic, a refresh token, a registration).
NEEDED, OPTIONAL, NOT_TAKEN = "needed", "optional", "not taken"


@dataclass(frozen=True)
class Operation:
    """One operation of the document and a request it answers with ``success``."""

    name: str  # "METHOD /path", as the document spells the path
    success: int
    request: Callable[[World], Call]
    token: str = NEEDED
    json_body: bool = False  # takes a JSON object (its schema refuses a field of a wrong type)
    paged: bool = False  # a list with ?page= and ?per_page=
    etag: bool = True  # a GET whose answer carries an ETag (all but a file download)

    @property
    def method(self) -> str:
        return self.name.split(" ", 1)[0]


def limited(folder: Path) -> dict[str, Any]:
    """An app that lets each token, and each address without one, send one request (the
    operations with limits of their own, signing in, registering, sending a message,
    count in these too)."""
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_API_PER_TOKEN": "1 per hour",
            "RATELIMIT_API_PER_IP": "1 per hour"}


def database_down(folder: Path) -> dict[str, Any]:
    """An app whose PostgreSQL refuses every connection (nothing listens on port 1)."""
    return {"SQLALCHEMY_DATABASE_URI":
            "postgresql+psycopg://postgres@127.0.0.1:1/microblog?connect_timeout=1"}


def never_migrated(folder: Path) -> dict[str, Any]:
    """An app on a database that answers but has no tables, so no search index."""
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'empty.db'}"}


@dataclass(frozen=True)
class Case:
    """A request, and the status it must be answered with."""

    operation: str
    status: int
    why: str  # what about the request earns that status, in words
    request: Callable[[World], Call]
    config: Mapping[str, Any] = field(default_factory=dict)  # this app's settings meanwhile
    other_app: Callable[[Path], dict[str, Any]] | None = None  # sent to another app instead
    # The answer that counts is to the request sent a second time, with these headers
    # (made from the first answer).
    again: Callable[[Any], dict[str, str]] | None = None
    headers: tuple[str, ...] = ()  # headers the answer must carry

    def __str__(self) -> str:
        return f"{self.operation} {self.status} {self.why}"


# --- one request that succeeds, for each operation ---------------------------------------------

OPERATIONS = [
    # Tokens
    Operation("POST /api/tokens", 201,
              lambda w: w.post("/api/tokens", headers=w.basic(w.you)), token=NOT_TAKEN),
    Operation("PUT /api/tokens", 200,
              lambda w: w.put("/api/tokens", json={"refresh_token": w.refresh_token(w.you)}),
              token=NOT_TAKEN, json_body=True),
    Operation("DELETE /api/tokens", 204, lambda w: w.delete("/api/tokens", by=w.you)),
    # Users
    Operation("GET /api/users", 200, lambda w: w.get("/api/users"), token=OPTIONAL, paged=True),
    Operation("POST /api/users", 202, lambda w: w.post("/api/users", json={
        "username": "newbie", "email": "newbie@example.com", "password": PASSWORD}),
        token=NOT_TAKEN, json_body=True),
    Operation("GET /api/users/{user_id}", 200, lambda w: w.get(f"/api/users/{w.other.id}"),
              token=OPTIONAL),
    Operation("PUT /api/users/{user_id}", 200, lambda w: w.put(
        f"/api/users/{w.you.id}", by=w.you, json={"about_me": "I watch birds."}),
        json_body=True),
    Operation("GET /api/users/{user_id}/followers", 200,
              lambda w: w.get(f"/api/users/{w.you.id}/followers"), token=OPTIONAL, paged=True),
    Operation("GET /api/users/{user_id}/following", 200,
              lambda w: w.get(f"/api/users/{w.you.id}/following"), token=OPTIONAL, paged=True),
    # Posts
    Operation("GET /api/posts", 200, lambda w: w.get("/api/posts"), token=OPTIONAL, paged=True),
    Operation("POST /api/posts", 201,
              lambda w: w.post("/api/posts", by=w.you, json={"body": "Hello, world."}),
              json_body=True),
    Operation("GET /api/posts/{post_id}", 200,
              lambda w: w.get(f"/api/posts/{w.your_status.id}"), token=OPTIONAL),
    Operation("PUT /api/posts/{post_id}", 200, lambda w: w.put(
        f"/api/posts/{w.your_status.id}", by=w.you, json={"body": "Hello again."}),
        json_body=True),
    Operation("DELETE /api/posts/{post_id}", 204,
              lambda w: w.delete(f"/api/posts/{w.your_status.id}", by=w.you)),
    Operation("POST /api/posts/{post_id}/publish", 200,
              lambda w: w.post(f"/api/posts/{w.your_draft.id}/publish", by=w.you)),
    Operation("GET /api/users/{user_id}/posts", 200,
              lambda w: w.get(f"/api/users/{w.you.id}/posts"), token=OPTIONAL, paged=True),
    Operation("GET /api/drafts", 200, lambda w: w.get("/api/drafts", by=w.you), paged=True),
    Operation("GET /api/feed", 200, lambda w: w.get("/api/feed", by=w.you), paged=True),
    # Comments
    Operation("GET /api/posts/{post_id}/comments", 200,
              lambda w: w.get(f"/api/posts/{w.your_status.id}/comments"),
              token=OPTIONAL, paged=True),
    Operation("POST /api/posts/{post_id}/comments", 201, lambda w: w.post(
        f"/api/posts/{w.others_status.id}/comments", by=w.you, json={"body": "Nice!"}),
        json_body=True),
    Operation("GET /api/comments/{comment_id}", 200,
              lambda w: w.get(f"/api/comments/{w.your_comment.id}"), token=OPTIONAL),
    Operation("PUT /api/comments/{comment_id}", 200, lambda w: w.put(
        f"/api/comments/{w.your_comment.id}", by=w.you, json={"body": "Nicer!"}),
        json_body=True),
    Operation("DELETE /api/comments/{comment_id}", 204,
              lambda w: w.delete(f"/api/comments/{w.your_comment.id}", by=w.you)),
    # Likes
    Operation("PUT /api/posts/{post_id}/like", 204,
              lambda w: w.put(f"/api/posts/{w.others_status.id}/like", by=w.you)),
    Operation("DELETE /api/posts/{post_id}/like", 204,
              lambda w: w.delete(f"/api/posts/{w.others_status.id}/like", by=w.you)),
    Operation("GET /api/posts/{post_id}/likes", 200,
              lambda w: w.get(f"/api/posts/{w.your_status.id}/likes"),
              token=OPTIONAL, paged=True),
    # Follows
    Operation("POST /api/me/following/{user_id}", 204,
              lambda w: w.post(f"/api/me/following/{w.other.id}", by=w.you)),
    Operation("DELETE /api/me/following/{user_id}", 204,
              lambda w: w.delete(f"/api/me/following/{w.other.id}", by=w.you)),
    # Categories and tags
    Operation("GET /api/categories", 200, lambda w: w.get("/api/categories"), token=NOT_TAKEN),
    Operation("GET /api/categories/{slug}/posts", 200,
              lambda w: w.get(f"/api/categories/{w.category.slug}/posts"),
              token=OPTIONAL, paged=True),
    Operation("GET /api/tags/{tag}/posts", 200, lambda w: w.get("/api/tags/birds/posts"),
              token=OPTIONAL, paged=True),
    # Search
    Operation("GET /api/search/posts", 200, lambda w: w.get("/api/search/posts?q=birds"),
              token=OPTIONAL, paged=True),
    Operation("GET /api/search/users", 200, lambda w: w.get("/api/search/users?q=susan"),
              token=OPTIONAL, paged=True),
    # Messages
    Operation("GET /api/conversations", 200, lambda w: w.get("/api/conversations", by=w.you),
              paged=True),
    Operation("GET /api/conversations/{conversation_id}/messages", 200,
              lambda w: w.get(f"/api/conversations/{w.conversation}/messages", by=w.you)),
    Operation("POST /api/messages", 201, lambda w: w.post(
        "/api/messages", by=w.you, json={"recipient_id": w.other.id, "body": "Hi, Bob."}),
        json_body=True),
    # Notifications
    Operation("GET /api/notifications", 200, lambda w: w.get("/api/notifications", by=w.you),
              paged=True),
    Operation("POST /api/notifications/read", 204,
              lambda w: w.post("/api/notifications/read", by=w.you)),
    # Blocks
    Operation("GET /api/me/blocked", 200, lambda w: w.get("/api/me/blocked", by=w.you),
              paged=True),
    Operation("POST /api/me/blocked/{user_id}", 204,
              lambda w: w.post(f"/api/me/blocked/{w.other.id}", by=w.you)),
    Operation("DELETE /api/me/blocked/{user_id}", 204,
              lambda w: w.delete(f"/api/me/blocked/{w.other.id}", by=w.you)),
    # Tasks
    Operation("POST /api/me/export", 202, lambda w: w.post("/api/me/export", by=w.you)),
    Operation("GET /api/tasks/{task_id}", 200,
              lambda w: w.get(f"/api/tasks/{w.your_export}", by=w.you)),
    Operation("GET /api/tasks/{task_id}/download", 200,
              lambda w: w.get(f"/api/tasks/{w.your_export}/download", by=w.you), etag=False),
    # Moderation
    Operation("POST /api/users/{user_id}/disable", 200,
              lambda w: w.post(f"/api/users/{w.other.id}/disable", by=w.moderator)),
    Operation("POST /api/users/{user_id}/enable", 200,
              lambda w: w.post(f"/api/users/{w.disabled.id}/enable", by=w.moderator)),
    Operation("PUT /api/users/{user_id}/role", 200, lambda w: w.put(
        f"/api/users/{w.other.id}/role", by=w.admin, json={"role": "moderator"}),
        json_body=True),
    Operation("PUT /api/posts/{post_id}/feature", 204,
              lambda w: w.put(f"/api/posts/{w.your_article.id}/feature", by=w.admin)),
    Operation("DELETE /api/posts/{post_id}/feature", 204,
              lambda w: w.delete(f"/api/posts/{w.your_article.id}/feature", by=w.admin)),
]
BY_NAME = {operation.name: operation for operation in OPERATIONS}


# --- what any request may meet: the same for every operation -----------------------------------

# The methods whose body is read before any view runs (microblog/api/openapi.py says why).
FORM_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
JSON_METHODS = {"POST", "PUT", "PATCH"}
BODY_LIMIT = 1000


def other_type(value: Any) -> Any:
    """A JSON value of another type than ``value``: a number for a string, and so on."""
    return "a string" if isinstance(value, int | float) else 12345


def generic_cases(op: Operation) -> list[Case]:
    """The cases made from ``op``'s request that succeeds:

    every operation   its success; 400 a control character in the query; 429 over a
                      rate limit; 503 the database down
    a GET             304 If-None-Match with the ETag it just sent
    a token needed    401 without one; 401 with an expired one
    a token optional  401 with an expired one
    POST, PUT         400 a body that is not valid JSON; 415 a body that is not JSON
    and DELETE too    413 a body over MAX_CONTENT_LENGTH
    a JSON body       422 a field of the wrong type
    a paged list      422 ?page= that is no number; 404 a page past the last
    """
    made = op.request
    cases = [
        Case(op.name, op.success, "the request that works", made),
        Case(op.name, 400, "a control character in the query",
             lambda w: made(w).with_query("note=%00")),
        Case(op.name, 429, "a second request where one is allowed", over_the_limit(op),
             other_app=limited, again=lambda first: {}, headers=("Retry-After",)),
        Case(op.name, 503, "the database is down", made, other_app=database_down,
             headers=("Retry-After",)),
    ]
    if op.method == "GET" and op.etag:
        cases.append(Case(op.name, 304, "If-None-Match with the ETag just sent", made,
                          again=lambda first: {"If-None-Match": first.headers["ETag"]}))
    if op.token == NEEDED:
        cases.append(Case(op.name, 401, "no access token", lambda w: replace(made(w), by=None),
                          headers=("WWW-Authenticate",)))
    if op.token in (NEEDED, OPTIONAL):
        cases.append(Case(op.name, 401, "an access token whose 15 minutes are over",
                          lambda w: with_expired_token(w, made(w)),
                          headers=("WWW-Authenticate",)))
    if op.method in JSON_METHODS:
        cases += [
            Case(op.name, 400, "a body that is not valid JSON",
                 lambda w: made(w).with_body("{not json", "application/json")),
            Case(op.name, 415, "a body that is not JSON (text/plain)",
                 lambda w: made(w).with_body("hello", "text/plain")),
        ]
    if op.method in FORM_METHODS:
        cases.append(Case(op.name, 413, f"a body over the limit of {BODY_LIMIT} bytes",
                          lambda w: made(w).with_body(json.dumps({"body": "x" * BODY_LIMIT}),
                                                      "application/json"),
                          config={"MAX_CONTENT_LENGTH": BODY_LIMIT}))
    if op.json_body:
        cases.append(Case(op.name, 422, "a field of the wrong type in the body",
                          lambda w: with_first_field_of_another_type(made(w))))
    if op.paged:
        cases += [
            Case(op.name, 422, "a page number that is no number",
                 lambda w: made(w).with_query("page=first")),
            Case(op.name, 404, "a page past the last one", lambda w: made(w).with_query("page=99")),
        ]
    return cases


def over_the_limit(op: Operation) -> Callable[[World], Call]:
    """The request to send twice for the 429. Signing out ends the token it carries, and
    a token that no longer works counts as none, against the address: there the second
    sending counts in a fresh count. So for it, both sendings carry a token that never
    worked, and both count against the address."""
    if op.name != "DELETE /api/tokens":
        return op.request
    return lambda w: replace(op.request(w), by=None,
                             headers={"Authorization": "Bearer never-a-token"})


def with_expired_token(w: World, call: Call) -> Call:
    """``call`` with an access token of the same person (or yours, for an operation asked
    without one), but one past its 15 minutes."""
    token = w.expired_token(call.by or w.you)
    return replace(call, by=None, headers={**call.headers, "Authorization": f"Bearer {token}"})


def with_first_field_of_another_type(call: Call) -> Call:
    first = next(iter(call.json))
    return replace(call, json={**call.json, first: other_type(call.json[first])})


GENERIC = [case for op in OPERATIONS for case in generic_cases(op)]


# --- each operation's own rules -----------------------------------------------------------------

SPECIFIC = [
    # Tokens
    Case("POST /api/tokens", 401, "a wrong password",
         lambda w: w.post("/api/tokens", headers=w.basic(w.you, "not my password")),
         headers=("WWW-Authenticate",)),
    Case("POST /api/tokens", 403, "the right password of a disabled account",
         lambda w: w.post("/api/tokens", headers=w.basic(w.disabled))),
    Case("PUT /api/tokens", 401, "a refresh token already spent",
         lambda w: w.put("/api/tokens", json={"refresh_token": w.spent_refresh_token(w.you)})),
    Case("PUT /api/tokens", 422, "no refresh token in the body, and no cookie",
         lambda w: w.put("/api/tokens", json={})),
    # Users
    Case("GET /api/users/{user_id}", 404, "nobody has that id",
         lambda w: w.get(f"/api/users/{UNKNOWN_ID}")),
    Case("PUT /api/users/{user_id}", 403, "someone else's profile",
         lambda w: w.put(f"/api/users/{w.other.id}", by=w.you, json={"about_me": "Hacked."})),
    Case("PUT /api/users/{user_id}", 404, "nobody has that id",
         lambda w: w.put(f"/api/users/{UNKNOWN_ID}", by=w.you, json={"about_me": "Hello."})),
    Case("PUT /api/users/{user_id}", 422, "a username someone else has",
         lambda w: w.put(f"/api/users/{w.you.id}", by=w.you,
                         json={"username": w.other.username})),
    Case("GET /api/users/{user_id}/followers", 404, "nobody has that id",
         lambda w: w.get(f"/api/users/{UNKNOWN_ID}/followers")),
    # Posts
    Case("POST /api/posts", 403, "an account whose email address is not confirmed yet",
         lambda w: w.post("/api/posts", by=w.unconfirmed, json={"body": "Buy now!"})),
    Case("POST /api/posts", 422, "an empty status (the posts service's rule)",
         lambda w: w.post("/api/posts", by=w.you, json={"body": "   "})),
    Case("GET /api/posts/{post_id}", 404, "someone else's draft",
         lambda w: w.get(f"/api/posts/{w.others_draft.id}", by=w.you)),
    Case("PUT /api/posts/{post_id}", 403, "someone else's post",
         lambda w: w.put(f"/api/posts/{w.others_status.id}", by=w.you, json={"body": "Mine."})),
    Case("PUT /api/posts/{post_id}", 404, "someone else's draft",
         lambda w: w.put(f"/api/posts/{w.others_draft.id}", by=w.you, json={"body": "Mine."})),
    Case("DELETE /api/posts/{post_id}", 403, "someone else's post",
         lambda w: w.delete(f"/api/posts/{w.others_status.id}", by=w.you)),
    Case("DELETE /api/posts/{post_id}", 404, "no post has that id",
         lambda w: w.delete(f"/api/posts/{UNKNOWN_ID}", by=w.you)),
    Case("POST /api/posts/{post_id}/publish", 403, "someone else's published article",
         lambda w: w.post(f"/api/posts/{w.others_article.id}/publish", by=w.you)),
    Case("POST /api/posts/{post_id}/publish", 404, "someone else's draft",
         lambda w: w.post(f"/api/posts/{w.others_draft.id}/publish", by=w.you)),
    Case("GET /api/users/{user_id}/posts", 404, "nobody has that id",
         lambda w: w.get(f"/api/users/{UNKNOWN_ID}/posts")),
    # Comments
    Case("GET /api/posts/{post_id}/comments", 404, "someone else's draft",
         lambda w: w.get(f"/api/posts/{w.others_draft.id}/comments", by=w.you)),
    Case("POST /api/posts/{post_id}/comments", 403, "the post's author blocked you",
         lambda w: w.post(f"/api/posts/{w.others_status.id}/comments",
                          by=w.you_blocked_by_other, json={"body": "Let me in."})),
    Case("POST /api/posts/{post_id}/comments", 404, "a draft takes no comments",
         lambda w: w.post(f"/api/posts/{w.your_draft.id}/comments", by=w.you,
                          json={"body": "First!"})),
    Case("POST /api/posts/{post_id}/comments", 422, "an empty comment",
         lambda w: w.post(f"/api/posts/{w.others_status.id}/comments", by=w.you,
                          json={"body": ""})),
    Case("GET /api/comments/{comment_id}", 404, "no comment has that id",
         lambda w: w.get(f"/api/comments/{UNKNOWN_ID}")),
    Case("PUT /api/comments/{comment_id}", 403, "someone else's comment, on your own post",
         lambda w: w.put(f"/api/comments/{w.others_comment_on_your_status.id}", by=w.you,
                         json={"body": "Changed."})),
    Case("PUT /api/comments/{comment_id}", 404, "no comment has that id",
         lambda w: w.put(f"/api/comments/{UNKNOWN_ID}", by=w.you, json={"body": "Changed."})),
    Case("DELETE /api/comments/{comment_id}", 403, "someone else's comment, on their own post",
         lambda w: w.delete(f"/api/comments/{w.others_comment_on_their_status.id}", by=w.you)),
    Case("DELETE /api/comments/{comment_id}", 404, "no comment has that id",
         lambda w: w.delete(f"/api/comments/{UNKNOWN_ID}", by=w.you)),
    # Likes
    Case("PUT /api/posts/{post_id}/like", 404, "a draft cannot be liked",
         lambda w: w.put(f"/api/posts/{w.your_draft.id}/like", by=w.you)),
    Case("DELETE /api/posts/{post_id}/like", 404, "no post has that id",
         lambda w: w.delete(f"/api/posts/{UNKNOWN_ID}/like", by=w.you)),
    Case("GET /api/posts/{post_id}/likes", 404, "no post has that id",
         lambda w: w.get(f"/api/posts/{UNKNOWN_ID}/likes")),
    # Follows
    Case("POST /api/me/following/{user_id}", 403, "they blocked you",
         lambda w: w.post(f"/api/me/following/{w.other.id}", by=w.you_blocked_by_other)),
    Case("POST /api/me/following/{user_id}", 404, "nobody has that id",
         lambda w: w.post(f"/api/me/following/{UNKNOWN_ID}", by=w.you)),
    Case("POST /api/me/following/{user_id}", 422, "yourself",
         lambda w: w.post(f"/api/me/following/{w.you.id}", by=w.you)),
    Case("DELETE /api/me/following/{user_id}", 404, "nobody has that id",
         lambda w: w.delete(f"/api/me/following/{UNKNOWN_ID}", by=w.you)),
    Case("DELETE /api/me/following/{user_id}", 422, "yourself",
         lambda w: w.delete(f"/api/me/following/{w.you.id}", by=w.you)),
    # Categories and tags
    Case("GET /api/categories/{slug}/posts", 301, "a slug the category had before a rename",
         lambda w: w.get(f"/api/categories/{w.old_category_slug}/posts"), headers=("Location",)),
    Case("GET /api/categories/{slug}/posts", 404, "no category has that slug",
         lambda w: w.get("/api/categories/no-such-category/posts")),
    # Search
    Case("GET /api/search/posts", 422, "words that are all operators, nothing to look for",
         lambda w: w.get("/api/search/posts?q=-")),
    Case("GET /api/search/posts", 503, "a database without the search index",
         lambda w: w.get("/api/search/posts?q=birds"), other_app=never_migrated),
    Case("GET /api/search/users", 503, "a database without the search index",
         lambda w: w.get("/api/search/users?q=susan"), other_app=never_migrated),
    # Messages
    Case("GET /api/conversations/{conversation_id}/messages", 404, "a conversation you are not in",
         lambda w: w.get(f"/api/conversations/{w.conversation}/messages", by=w.carl)),
    Case("GET /api/conversations/{conversation_id}/messages", 422,
         "a `before` that is no message id",
         lambda w: w.get(f"/api/conversations/{w.conversation}/messages?before=last", by=w.you)),
    Case("POST /api/messages", 403, "they blocked you", lambda w: w.post(
        "/api/messages", by=w.you_blocked_by_other,
        json={"recipient_id": w.other.id, "body": "Why?"})),
    Case("POST /api/messages", 404, "nobody has that id", lambda w: w.post(
        "/api/messages", by=w.you, json={"recipient_id": UNKNOWN_ID, "body": "Hello?"})),
    Case("POST /api/messages", 422, "to yourself", lambda w: w.post(
        "/api/messages", by=w.you, json={"recipient_id": w.you.id, "body": "Note to self."})),
    # Notifications
    Case("GET /api/notifications", 422, "a `since` that is no time",
         lambda w: w.get("/api/notifications?since=yesterday", by=w.you)),
    # Blocks
    Case("POST /api/me/blocked/{user_id}", 404, "nobody has that id",
         lambda w: w.post(f"/api/me/blocked/{UNKNOWN_ID}", by=w.you)),
    Case("POST /api/me/blocked/{user_id}", 422, "yourself",
         lambda w: w.post(f"/api/me/blocked/{w.you.id}", by=w.you)),
    Case("DELETE /api/me/blocked/{user_id}", 404, "nobody has that id",
         lambda w: w.delete(f"/api/me/blocked/{UNKNOWN_ID}", by=w.you)),
    # Tasks
    Case("POST /api/me/export", 409, "an export of yours is still waiting",
         lambda w: w.post("/api/me/export", by=w.you_with_an_export_waiting)),
    Case("GET /api/tasks/{task_id}", 404, "no task has that id",
         lambda w: w.get("/api/tasks/no-such-task", by=w.you)),
    Case("GET /api/tasks/{task_id}/download", 404, "an export that has not finished",
         lambda w: w.get(f"/api/tasks/{w.your_waiting_export}/download", by=w.you)),
    # Moderation
    Case("POST /api/users/{user_id}/disable", 403, "an ordinary member may not",
         lambda w: w.post(f"/api/users/{w.other.id}/disable", by=w.you)),
    Case("POST /api/users/{user_id}/disable", 404, "nobody has that id",
         lambda w: w.post(f"/api/users/{UNKNOWN_ID}/disable", by=w.moderator)),
    Case("POST /api/users/{user_id}/disable", 422, "your own account",
         lambda w: w.post(f"/api/users/{w.moderator.id}/disable", by=w.moderator)),
    Case("POST /api/users/{user_id}/enable", 403, "an ordinary member may not",
         lambda w: w.post(f"/api/users/{w.disabled.id}/enable", by=w.you)),
    Case("POST /api/users/{user_id}/enable", 404, "nobody has that id",
         lambda w: w.post(f"/api/users/{UNKNOWN_ID}/enable", by=w.moderator)),
    Case("POST /api/users/{user_id}/enable", 422, "your own account",
         lambda w: w.post(f"/api/users/{w.moderator.id}/enable", by=w.moderator)),
    Case("PUT /api/users/{user_id}/role", 403, "only administrators may",
         lambda w: w.put(f"/api/users/{w.other.id}/role", by=w.moderator,
                         json={"role": "moderator"})),
    Case("PUT /api/users/{user_id}/role", 404, "nobody has that id",
         lambda w: w.put(f"/api/users/{UNKNOWN_ID}/role", by=w.admin, json={"role": "moderator"})),
    Case("PUT /api/users/{user_id}/role", 422, "a role there is not",
         lambda w: w.put(f"/api/users/{w.other.id}/role", by=w.admin, json={"role": "king"})),
    Case("PUT /api/posts/{post_id}/feature", 403, "only administrators may",
         lambda w: w.put(f"/api/posts/{w.your_article.id}/feature", by=w.you)),
    Case("PUT /api/posts/{post_id}/feature", 404, "no post has that id",
         lambda w: w.put(f"/api/posts/{UNKNOWN_ID}/feature", by=w.admin)),
    Case("PUT /api/posts/{post_id}/feature", 422, "a status, not an article",
         lambda w: w.put(f"/api/posts/{w.your_status.id}/feature", by=w.admin)),
    Case("DELETE /api/posts/{post_id}/feature", 403, "only administrators may",
         lambda w: w.delete(f"/api/posts/{w.your_article.id}/feature", by=w.you)),
    Case("DELETE /api/posts/{post_id}/feature", 404, "no post has that id",
         lambda w: w.delete(f"/api/posts/{UNKNOWN_ID}/feature", by=w.admin)),
]

CASES = GENERIC + SPECIFIC
HERE = [case for case in CASES if case.other_app is None]
ELSEWHERE = [case for case in CASES if case.other_app is not None]


# --- the tests ------------------------------------------------------------------------------------

_DOCUMENT: dict = {}


@pytest.fixture
def document(api) -> dict:
    """The served OpenAPI document (read once: it is the same for every backend)."""
    if not _DOCUMENT:
        _DOCUMENT.update(api.get("/api/openapi.json").get_json())
    return _DOCUMENT


def documented_pairs(document: dict) -> set[tuple[str, int]]:
    return {(f"{method.upper()} {path}", int(status))
            for path, operations in document["paths"].items()
            for method, operation in operations.items()
            for status in operation["responses"]}


def test_every_documented_status_of_every_operation_has_a_case(document):
    missing = documented_pairs(document) - {(case.operation, case.status) for case in CASES}
    assert not missing, f"documented, but no case provokes it: {sorted(missing)}"


def test_no_case_proves_a_status_the_document_does_not_list(document):
    extra = {(case.operation, case.status) for case in CASES} - documented_pairs(document)
    assert not extra, f"answered, but not in the document: {sorted(extra)}"


def test_every_operation_has_a_request_that_succeeds(document):
    documented = {operation for operation, _ in documented_pairs(document)}
    assert set(BY_NAME) == documented
    for operation in OPERATIONS:
        method, path = operation.name.split(" ", 1)
        successes = [status for status in document["paths"][path][method.lower()]["responses"]
                     if status.startswith("2")]
        assert successes == [str(operation.success)], operation.name


@pytest.mark.parametrize("case", HERE, ids=str)
def test_the_operation_answers_the_documented_status(case, app, api, make_user, document):
    app.config.update(case.config)
    world = World(app, make_user)
    assert_as_documented(answer(case, world, api), case, document)


@pytest.mark.parametrize("backend_app", ["sqlite"], indirect=True)  # the other app decides
@pytest.mark.parametrize("case", ELSEWHERE, ids=str)
def test_the_operation_answers_the_documented_status_on_another_app(
        case, app, make_user, sibling_app, tmp_path, document):
    world = World(app, make_user)
    limiter._storage_dead = False
    other = sibling_app(**case.other_app(tmp_path))
    other.test_client_class = ApiClient
    assert_as_documented(answer(case, world, other.test_client()), case, document)


def answer(case: Case, world: World, client):
    """The answer to the case's request (or to its second sending, for ``again``)."""
    call = case.request(world)
    try:
        first = world.send(client, call)
        if case.again is None:
            return first
        return world.send(client, call, **case.again(first))
    finally:
        # An export the request started runs on in the worker thread: let it end before
        # the test empties the tables under it.
        assert jobs.wait_until_idle(30)


def assert_as_documented(response, case: Case, document: dict) -> None:
    """``response`` has the case's status, and the body and headers the document gives it."""
    assert response.status_code == case.status, \
        f"{case}: {response.status_code} {response.get_data(as_text=True)[:500]}"
    method, path = case.operation.split(" ", 1)
    documented = document["paths"][path][method.lower()]["responses"][str(case.status)]
    if case.status >= 400:
        body = assert_problem(response, case.status)
        assert body["title"] == HTTP_STATUS_CODES[case.status]
        if case.status == 422:
            assert body["errors"] and all(
                messages and all(isinstance(message, str) for message in messages)
                for messages in body["errors"].values()), body
    content = documented.get("content", {})
    if case.status in (204, 304):
        assert response.data == b""
    elif content:
        assert response.mimetype in content, (response.mimetype, list(content))
        if response.is_json:
            schema = resolve_refs(document, content[response.mimetype]["schema"])
            jsonschema_rs.validate(schema, response.get_json())
    for header in (*documented.get("headers", {}), *case.headers):
        assert response.headers.get(header), f"{case}: no {header}"
