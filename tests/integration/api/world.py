"""The people and things the API's table tests send requests about, and those requests.

A :class:`World` makes each person or thing the first time a test asks for it, through
the services the pages use (so every rule applies), and keeps it: a case that needs
only ``w.you`` and ``w.your_status`` creates two rows, not the whole cast. A
:class:`Call` is one request described as data (method, address, who sends it, body),
so a test can send it as it is, or changed (without its token, with a body that is not
JSON, twice), and say which answer each version must get.

The cast: ``you`` (susan, an ordinary member, who sends most requests), ``other`` (bob,
another member), ``carl`` (a third), ``moderator`` (moe), ``admin`` (ada), and a few
for one rule each (``unconfirmed``, ``disabled``, ``second_moderator``,
``second_admin``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import cached_property
from typing import Any
from uuid import uuid4

from flask import Flask

from microblog import jobs
from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.role import Role
from microblog.models.task import Task, TaskState
from microblog.models.user import User
from microblog.services import (
    api_tokens,
    blocks,
    categories,
    comments,
    exports,
    messages,
    moderation,
    posts,
)
from tests.integration.api.conftest import basic

UNKNOWN_ID = 424242  # no user, post, comment or conversation has it
NOTHING = object()  # a Call with no JSON body (None would be the JSON ``null``)


@dataclass(frozen=True)
class Call:
    """One request: ``by`` is the person whose access token it carries (None: no token);
    ``json`` the body to send as JSON; ``data`` and ``content_type`` a raw body instead."""

    method: str
    url: str
    by: User | None = None
    json: Any = NOTHING
    data: str | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def with_query(self, text: str) -> Call:
        """The same request with ``text`` added to its query string."""
        return replace(self, url=self.url + ("&" if "?" in self.url else "?") + text)

    def with_body(self, data: str, content_type: str) -> Call:
        return replace(self, json=NOTHING, data=data, content_type=content_type)


class World:
    """Everyone and everything a case may need, each made on first use."""

    def __init__(self, app: Flask, make_user):
        self.app = app
        self._make_user = make_user
        self._tokens: dict[int, str] = {}

    # --- requests -------------------------------------------------------------------------

    def get(self, url: str, by: User | None = None, **options) -> Call:
        return Call("GET", url, by, **options)

    def post(self, url: str, by: User | None = None, **options) -> Call:
        return Call("POST", url, by, **options)

    def put(self, url: str, by: User | None = None, **options) -> Call:
        return Call("PUT", url, by, **options)

    def delete(self, url: str, by: User | None = None, **options) -> Call:
        return Call("DELETE", url, by, **options)

    def send(self, client, call: Call, **extra_headers: str):
        """Send ``call`` with ``client`` (of this app or another on the same database)."""
        headers = dict(call.headers)
        if call.by is not None:
            headers.setdefault("Authorization", f"Bearer {self.token(call.by)}")
        headers.update(extra_headers)
        options: dict[str, Any] = {"method": call.method, "headers": headers}
        if call.json is not NOTHING:
            options["json"] = call.json
        elif call.data is not None:
            options.update(data=call.data, content_type=call.content_type)
        return client.open(call.url, **options)

    def token(self, user: User) -> str:
        """A working access token of ``user`` (one per person, made without a request)."""
        if user.id not in self._tokens:
            self._tokens[user.id] = api_tokens.issue(user).access_token
        return self._tokens[user.id]

    def expired_token(self, user: User) -> str:
        """An access token of ``user`` whose 15 minutes are over."""
        pair = api_tokens.issue(user)
        token = pair.access_token
        pair.access_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        return token

    def refresh_token(self, user: User) -> str:
        return api_tokens.issue(user).refresh_token

    def spent_refresh_token(self, user: User) -> str:
        """A refresh token that was already exchanged for the next pair."""
        spent = self.refresh_token(user)
        api_tokens.refresh(spent)
        return spent

    def basic(self, user: User, password: str | None = None) -> dict[str, str]:
        from tests.conftest import PASSWORD

        return basic(user.username, password or PASSWORD)

    # --- people ---------------------------------------------------------------------------

    @cached_property
    def you(self) -> User:
        return self._make_user("susan")

    @cached_property
    def other(self) -> User:
        return self._make_user("bob")

    @cached_property
    def carl(self) -> User:
        return self._make_user("carl")

    @cached_property
    def moderator(self) -> User:
        return self._make_user("moe", role=Role.MODERATOR)

    @cached_property
    def second_moderator(self) -> User:
        return self._make_user("mia", role=Role.MODERATOR)

    @cached_property
    def admin(self) -> User:
        return self._make_user("ada", role=Role.ADMIN)

    @cached_property
    def second_admin(self) -> User:
        return self._make_user("alan", role=Role.ADMIN)

    @cached_property
    def unconfirmed(self) -> User:
        """Signed up, but never opened the confirmation link: may not write yet."""
        return self._make_user("una", email_confirmed=False)

    @cached_property
    def disabled(self) -> User:
        """An account a moderator disabled (its password is still right)."""
        user = self._make_user("dora")
        moderation.disable(moderation.COMMAND_LINE, user.username)
        return user

    @cached_property
    def you_with_an_export_waiting(self) -> User:
        """You, while an export of yours waits for a worker (only one at a time)."""
        assert self.your_waiting_export
        return self.you

    @cached_property
    def you_blocked_by_other(self) -> User:
        """bob blocked you: you may not follow him, comment on his posts or write to him."""
        blocks.block(self.other, self.you.username)
        return self.you

    # --- posts and comments ---------------------------------------------------------------

    @cached_property
    def your_status(self):
        return posts.create_post(self.you, "Hello, #birds!")

    @cached_property
    def others_status(self):
        return posts.create_post(self.other, "Bob's #birds")

    @cached_property
    def your_article(self):
        return posts.create_article(self.you, "Birds", "Sparrows and crows.", tags="birds")

    @cached_property
    def others_article(self):
        return posts.create_article(self.other, "Crows", "Clever birds.")

    @cached_property
    def your_draft(self):
        return posts.create_article(self.you, "Not yet", "Half a thought.", publish=False)

    @cached_property
    def others_draft(self):
        return posts.create_article(self.other, "Bob's draft", "Secret.", publish=False)

    @cached_property
    def your_comment(self):
        """Yours, on bob's status."""
        return comments.add(self.you, self.others_status.id, "Nice one!")

    @cached_property
    def others_comment_on_your_status(self):
        return comments.add(self.other, self.your_status.id, "Thanks for this.")

    @cached_property
    def others_comment_on_their_status(self):
        return comments.add(self.other, self.others_status.id, "I agree with myself.")

    @cached_property
    def your_comment_on_carls_status(self):
        carls = posts.create_post(self.carl, "Carl's status")
        return comments.add(self.you, carls.id, "Hello, Carl.")

    # --- the rest -------------------------------------------------------------------------

    @cached_property
    def conversation(self) -> int:
        """The id of your conversation with bob (he wrote first)."""
        return messages.send(self.other, self.you.username, "Hello, Susan.").conversation_id

    @cached_property
    def conversation_with_carl(self) -> int:
        return messages.send(self.carl, self.you.username, "Hi, it's Carl.").conversation_id

    @cached_property
    def category(self):
        return categories.create(self.admin, "Wildlife")

    @cached_property
    def old_category_slug(self) -> str:
        """What a category was called before an administrator renamed it."""
        category = categories.create(self.admin, "Garden birds")
        old = category.slug
        categories.rename(self.admin, category, "Birds of the garden")
        return old

    @cached_property
    def your_export(self) -> str:
        """The id of your finished export of your data."""
        task = exports.start_export(self.you)
        assert jobs.wait_until_idle(30)
        return task.id

    @cached_property
    def your_waiting_export(self) -> str:
        """An export of yours still waiting for a worker."""
        task = Task(id=str(uuid4()), name=exports.EXPORT_TASK, description="Exporting your data",
                    user_id=self.you.id, args=[self.you.id], state=TaskState.QUEUED,
                    attempts=0, max_attempts=1)
        db.session.add(task)
        db.session.commit()
        return task.id
