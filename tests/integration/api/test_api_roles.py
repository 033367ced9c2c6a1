"""Who may read or change whose data over the API, as a table, and the pages agreeing.

Each row is an operation on something that belongs to someone (a post, a comment, an
account, a conversation, an export), and the answer for each kind of caller:

- the **owner**, whose thing it is (and, for a comment, the **post's author** too);
- **another** ordinary member;
- a **moderator** and an **administrator**;
- someone **anonymous**, who sends no token.

The rules are the services' (``microblog/services/posts.py``, ``comments.py``,
``moderation.py``, ``messages.py``, ``tasks.py``), and the pages call the same ones. So
each row also names the page that does the same thing, and a second test sends it as
the same person (logged in to the site) and checks that the page decided alike: it
allowed what the API allowed (a page or a redirect to one), refused with a 403 or hid
with a 404 what the API did, and asked to log in where the API asked for a token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from microblog.models.user import User
from tests.integration.api.world import Call, World

OWNER, POST_AUTHOR, OTHER = "owner", "post's author", "another member"
MODERATOR, ADMIN, ANONYMOUS = "moderator", "administrator", "anonymous"
ROLES = (OWNER, POST_AUTHOR, OTHER, MODERATOR, ADMIN, ANONYMOUS)


@dataclass(frozen=True)
class Page:
    """The page (or form) of the site that does what an operation does."""

    method: str
    url: str
    form: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    operation: str
    target: str  # what the operation acts on, in words
    request: Callable[[World, User | None], Call]  # the request, sent by the given caller
    page: Callable[[World], Page] | None  # the page doing the same, if the site has one
    answers: dict[str, int]  # the API's status for each caller
    owner: Callable[[World], User] = lambda w: w.you
    # A page that shows a visitor who is not logged in nothing (404) rather than the
    # login form: the API still asks for a token (401).
    page_hides_from_visitors: bool = False

    def caller(self, w: World, role: str) -> User | None:
        return {OWNER: self.owner, POST_AUTHOR: lambda w: w.carl, OTHER: lambda w: w.other,
                MODERATOR: lambda w: w.moderator, ADMIN: lambda w: w.admin,
                ANONYMOUS: lambda w: None}[role](w)


def row(operation: str, target: str, request, page=None, *, owned_by=None,
        page_hides_from_visitors: bool = False, **answers: int) -> Row:
    """A row; the answers are given by role: ``owner=200, other=403, …``. The owner is
    you unless ``owned_by`` says who."""
    names = {"owner": OWNER, "post_author": POST_AUTHOR, "other": OTHER,
             "moderator": MODERATOR, "admin": ADMIN, "anonymous": ANONYMOUS}
    return Row(operation, target, request, page,
               {names[role]: status for role, status in answers.items()},
               **({"owner": owned_by} if owned_by else {}),
               page_hides_from_visitors=page_hides_from_visitors)


MATRIX = [
    # Posts: the author edits and publishes; the author or a moderator deletes; an
    # administrator features; a draft is its author's alone, hidden (404) from everyone else.
    row("GET /api/posts/{post_id}", "a draft",
        lambda w, by: w.get(f"/api/posts/{w.your_draft.id}", by=by),
        lambda w: Page("GET", f"/post/{w.your_draft.id}/{w.your_draft.slug}"),
        owner=200, other=404, moderator=404, admin=404, anonymous=404),
    row("PUT /api/posts/{post_id}", "a published status",
        lambda w, by: w.put(f"/api/posts/{w.your_status.id}", by=by, json={"body": "Changed."}),
        lambda w: Page("POST", f"/post/{w.your_status.id}/edit", {"post": "Changed."}),
        owner=200, other=403, moderator=403, admin=403, anonymous=401),
    row("POST /api/posts/{post_id}/publish", "a draft",
        lambda w, by: w.post(f"/api/posts/{w.your_draft.id}/publish", by=by),
        lambda w: Page("POST", f"/post/{w.your_draft.id}/publish"),
        owner=200, other=404, moderator=404, admin=404, anonymous=401),
    row("DELETE /api/posts/{post_id}", "a published status",
        lambda w, by: w.delete(f"/api/posts/{w.your_status.id}", by=by),
        lambda w: Page("POST", f"/post/{w.your_status.id}/delete"),
        owner=204, other=403, moderator=204, admin=204, anonymous=401),
    row("PUT /api/posts/{post_id}/feature", "a published article",
        lambda w, by: w.put(f"/api/posts/{w.your_article.id}/feature", by=by),
        lambda w: Page("POST", f"/post/{w.your_article.id}/feature"),
        owner=403, other=403, moderator=403, admin=204, anonymous=401),
    row("DELETE /api/posts/{post_id}/feature", "a published article",
        lambda w, by: w.delete(f"/api/posts/{w.your_article.id}/feature", by=by),
        lambda w: Page("POST", f"/post/{w.your_article.id}/unfeature"),
        owner=403, other=403, moderator=403, admin=204, anonymous=401),
    # Comments: the comment's author edits (while the window lasts); its author, the
    # post's author or a moderator deletes.
    row("PUT /api/comments/{comment_id}", "a comment on carl's status",
        lambda w, by: w.put(f"/api/comments/{w.your_comment_on_carls_status.id}", by=by,
                            json={"body": "Changed."}),
        lambda w: Page("POST", f"/comment/{w.your_comment_on_carls_status.id}/edit",
                       {"body": "Changed."}),
        owner=200, post_author=403, other=403, moderator=403, admin=403, anonymous=401),
    row("DELETE /api/comments/{comment_id}", "a comment on carl's status",
        lambda w, by: w.delete(f"/api/comments/{w.your_comment_on_carls_status.id}", by=by),
        lambda w: Page("POST", f"/comment/{w.your_comment_on_carls_status.id}/delete"),
        owner=204, post_author=204, other=403, moderator=204, admin=204, anonymous=401),
    # Accounts: your own profile is yours alone (the page edits only your own, so it has
    # no address for someone else's); moderators disable and enable members, only
    # administrators moderators and administrators; only administrators change roles;
    # nobody does either to their own account.
    row("PUT /api/users/{user_id}", "a member's profile",
        lambda w, by: w.put(f"/api/users/{w.you.id}", by=by, json={"about_me": "Changed."}),
        owner=200, other=403, moderator=403, admin=403, anonymous=401),
    row("POST /api/users/{user_id}/disable", "a member's account",
        lambda w, by: w.post(f"/api/users/{w.you.id}/disable", by=by),
        lambda w: Page("POST", f"/admin/users/{w.you.username}/disable"),
        owner=403, other=403, moderator=200, admin=200, anonymous=401),
    row("POST /api/users/{user_id}/disable", "a moderator's account",
        lambda w, by: w.post(f"/api/users/{w.second_moderator.id}/disable", by=by),
        lambda w: Page("POST", f"/admin/users/{w.second_moderator.username}/disable"),
        owned_by=lambda w: w.second_moderator,
        owner=422, other=403, moderator=403, admin=200, anonymous=401),
    row("POST /api/users/{user_id}/disable", "an administrator's account",
        lambda w, by: w.post(f"/api/users/{w.second_admin.id}/disable", by=by),
        lambda w: Page("POST", f"/admin/users/{w.second_admin.username}/disable"),
        owned_by=lambda w: w.second_admin,
        owner=422, other=403, moderator=403, admin=200, anonymous=401),
    row("POST /api/users/{user_id}/enable", "a member's account (enabling it again "
        "changes nothing, but who may is the same)",
        lambda w, by: w.post(f"/api/users/{w.you.id}/enable", by=by),
        lambda w: Page("POST", f"/admin/users/{w.you.username}/enable"),
        owner=403, other=403, moderator=200, admin=200, anonymous=401),
    row("PUT /api/users/{user_id}/role", "a member's account",
        lambda w, by: w.put(f"/api/users/{w.you.id}/role", by=by, json={"role": "moderator"}),
        lambda w: Page("POST", f"/admin/users/{w.you.username}/role", {"role": "moderator"}),
        owner=403, other=403, moderator=403, admin=200, anonymous=401),
    # Private things: a conversation is its two members' alone, an export its owner's;
    # anyone else's is hidden (404), from moderators and administrators too.
    row("GET /api/conversations/{conversation_id}/messages", "a conversation with carl",
        lambda w, by: w.get(f"/api/conversations/{w.conversation_with_carl}/messages", by=by),
        lambda w: Page("GET", f"/messages/{w.conversation_with_carl}"),
        owner=200, other=404, moderator=404, admin=404, anonymous=401),
    row("GET /api/tasks/{task_id}", "an export of one's data",
        lambda w, by: w.get(f"/api/tasks/{w.your_export}", by=by),
        lambda w: Page("GET", f"/tasks/{w.your_export}"), page_hides_from_visitors=True,
        owner=200, other=404, moderator=404, admin=404, anonymous=401),
    row("GET /api/tasks/{task_id}/download", "an export of one's data",
        lambda w, by: w.get(f"/api/tasks/{w.your_export}/download", by=by),
        lambda w: Page("GET", f"/settings/export/{w.your_export}/download"),
        owner=200, other=404, moderator=404, admin=404, anonymous=401),
]

CALLS = [(entry, role) for entry in MATRIX for role in ROLES if role in entry.answers]
WITH_PAGES = [(entry, role) for entry, role in CALLS if entry.page is not None]


def call_id(value) -> str:
    return f"{value.operation} ({value.target})" if isinstance(value, Row) else value


@pytest.mark.parametrize(("entry", "role"), CALLS, ids=call_id)
def test_each_caller_gets_the_answer_in_the_table(entry, role, app, api, make_user):
    w = World(app, make_user)
    response = w.send(api, entry.request(w, entry.caller(w, role)))
    assert response.status_code == entry.answers[role], response.get_data(as_text=True)


@pytest.mark.parametrize(("entry", "role"), WITH_PAGES, ids=call_id)
def test_the_page_decides_as_the_api_does(entry, role, app, client, make_user):
    w = World(app, make_user)
    caller = entry.caller(w, role)
    page = entry.page(w)
    if caller is not None:
        client.login(caller.username)
    response = client.get(page.url) if page.method == "GET" else \
        client.submit(page.url, page.form)  # with the page's CSRF token, as a browser would
    expected = entry.answers[role]
    where = response.headers.get("Location", "")
    if expected == 401 and entry.page_hides_from_visitors:
        assert response.status_code == 404
    elif expected == 401:
        assert response.status_code == 302 and where.startswith("/auth/login"), where
    elif expected < 300:
        assert response.status_code in (200, 302) and not where.startswith("/auth/login"), \
            (response.status_code, where)
    else:
        assert response.status_code == expected


def test_every_row_answers_for_everyone_its_rules_tell_apart():
    """Each row says what the owner, another member, a moderator, an administrator and
    someone anonymous get (and a comment's rows the post's author too)."""
    for entry in MATRIX:
        expected = set(ROLES) - ({POST_AUTHOR} if "comment" not in entry.operation else set())
        assert set(entry.answers) == expected, entry.operation
