"""What a browser may say over its socket, and what it is answered.

Each handler parses the event's payload, calls one service, and answers: its return
value is the event's acknowledgement (``{"ok": true, …}``), and a refusal is also an
``error`` event to that socket alone (``{"event", "status", "message"}``, the message
in the visitor's language) that changes nothing. The rules are the services'
(:mod:`microblog.services.posts`, :mod:`microblog.services.comments`); who the socket
belongs to is :mod:`microblog.realtime.auth`'s to say.

- ``connect``: every socket is welcome (a reader need not sign in to follow a post's
  comments); a signed-in person's joins their own room, ``user:<id>``.
- ``join_post`` ``{"post_id": 7}``: follow a post's comments (its room ``post:7``), if it
  is published and its author has not blocked the reader.
- ``leave_post`` ``{"post_id": 7}``.
- ``join_explore``: hear of every newly published post (Explore's "new posts").
- ``new_comment`` ``{"post_id": 7, "body": "…"}``: write a comment, as the form does,
  counted in the form's rate limit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, request
from flask_babel import _
from flask_socketio import SocketIO, emit, join_room, leave_room

from microblog import rate_limits
from microblog.errors import NotFound, PermissionDenied, ServiceError, ValidationError
from microblog.integers import whole_number
from microblog.realtime import audiences
from microblog.realtime.auth import acting_user, forget, socket_user
from microblog.services import comments, posts
from microblog.services.permissions import is_member


class Refused(Exception):
    """An event that is not done: its status (as HTTP would say it) and the words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _answered(name: str, handler: Callable[..., dict[str, Any]]) -> Callable[..., dict]:
    """Run ``handler``; turn a refusal or a service's error into the ``error`` event
    and a ``{"ok": false}`` acknowledgement, as the forms turn them into messages."""

    @wraps(handler)
    def answer(*args: Any) -> dict[str, Any]:
        try:
            return {"ok": True, **handler(*args)}
        except Refused as refusal:
            status, message = refusal.status, refusal.message
        except ValidationError as error:
            status, message = 422, error.message
        except NotFound as error:
            status, message = 404, error.message
        except PermissionDenied as error:
            status, message = 403, error.message
        except ServiceError as error:
            status, message = 400, error.message
        current_app.logger.info("socket event %s refused (%s) for sid %s", name, status,
                                request.sid)
        emit("error", {"event": name, "status": status, "message": message})
        return {"ok": False, "status": status, "error": message}

    return answer


def _payload(data: object, *fields: str) -> dict[str, Any]:
    """The event's payload: an object with ``fields``, else a 400 refusal."""
    if not isinstance(data, dict) or any(name not in data for name in fields):
        raise Refused(400, _("That request was not understood."))
    return data


def _post_id(data: dict[str, Any]) -> int:
    value = data["post_id"]
    try:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(value)
        return whole_number(value)
    except ValueError:
        raise Refused(400, _("That request was not understood.")) from None


def on_connect(auth: object = None) -> bool:
    user = socket_user(auth)
    if user is False:
        return False  # credentials that are not good: no socket
    if is_member(user):
        join_room(audiences.user_room(user.id))
    return True


def join_post(data: object = None) -> dict[str, Any]:
    post = posts.get_for_live_reader(_post_id(_payload(data, "post_id")), acting_user())
    join_room(audiences.post_room(post.id))
    return {"post_id": post.id}


def leave_post(data: object = None) -> dict[str, Any]:
    post_id = _post_id(_payload(data, "post_id"))
    leave_room(audiences.post_room(post_id))
    return {"post_id": post_id}


def join_explore(data: object = None) -> dict[str, Any]:
    join_room(audiences.EXPLORE)
    return {}


def new_comment(data: object = None) -> dict[str, Any]:
    data = _payload(data, "post_id", "body")
    post_id = _post_id(data)
    if not isinstance(data["body"], str):
        raise Refused(400, _("That request was not understood."))
    user = acting_user()
    if not is_member(user):
        raise Refused(401, _("Please log in to access this page."))
    if not rate_limits.allow_comment(user):
        raise Refused(429, _("You have written many comments in a short time. Please wait "
                             "a few minutes before writing another."))
    comment = comments.add(user, post_id, data["body"])
    return {"id": comment.id, "post_id": post_id}


def register(server: SocketIO) -> None:
    """Attach the handlers to ``server`` (one per app: the test suite builds many)."""
    server.on_event("connect", on_connect)
    server.on_event("disconnect", lambda *reason: forget())
    for name, handler in (("join_post", join_post), ("leave_post", leave_post),
                          ("join_explore", join_explore), ("new_comment", new_comment)):
        server.on_event(name, _answered(name, handler))
