"""Objects as the API shows them: plain dicts in the shape of ``schemas.py``.

Chapter 23 puts ``to_dict`` on the models; here the models stay about the data, and
what a client sees of them (which links, the email for its owner only) is written
once, in this module, for every resource.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil
from typing import Any

from flask import request, url_for
from flask.globals import request_ctx

from microblog import fragments
from microblog.models.user import User
from microblog.pagination import Page

AVATAR_SIZE = 128


def link(endpoint: str, **values: Any) -> str:
    """The path of a view, as ``url_for`` builds it, by the router alone: without the
    steps these links never need (a blueprint-relative name, URL defaults, an external
    URL). A page of 25 posts carries a hundred links, and ``url_for``'s steps cost twice
    what the building itself does (7 % of the feed's instructions)."""
    return request_ctx.url_adapter.build(endpoint, values)


def user(user: User, viewer: User | None) -> dict[str, Any]:
    shown = {
        "id": user.id,
        "username": user.username,
        "last_seen": user.last_seen,
        "about_me": user.about_me,
        "post_count": user.post_count,
        "follower_count": user.follower_count,
        "following_count": user.following_count,
        "_links": {
            "self": link("users.get_user", user_id=user.id),
            "followers": link("users.get_followers", user_id=user.id),
            "following": link("users.get_following", user_id=user.id),
            "avatar": user.avatar(AVATAR_SIZE),
        },
    }
    if viewer is not None and viewer.id == user.id:
        shown["email"] = user.email
    return shown


def post(post: Any, viewer: User | None, *, tags: Sequence[str] | None = None,
         body: str | None = None) -> dict[str, Any]:
    """A post: a model (one post's page) or a listing (a page of them) alike. What is
    the same for every caller is built once and kept (``fragments.kept``): on a page of
    a timeline, its words are then not even read from the database."""
    shown = {
        **fragments.kept("api_post", (post,), lambda: _post_as_anyone_sees_it(post)),
        "comment_count": post.comment_count,
        "like_count": post.like_count,
        "liked": post.liked_by_viewer if viewer is not None else None,
    }
    if tags is not None:
        shown["tags"] = list(tags)
    if body is not None:
        shown["body"] = body
    return shown


def _post_as_anyone_sees_it(post: Any) -> dict[str, Any]:
    """What :func:`post` shows of ``post`` whoever asks (``fragments.keys.api_post``
    names all it depends on)."""
    author = post.author
    return {
        "id": post.id,
        "kind": "article" if post.is_article else "status",
        "title": post.title,
        "body_html": post.body_html,
        "published_at": post.published_at,
        "edited_at": post.edited_at,
        "draft": post.is_draft,
        "category": post.category.slug if post.category is not None else None,
        "author": {"id": author.id, "username": author.username,
                   "avatar": author.avatar(AVATAR_SIZE)},
        "_links": {
            "self": link("posts.get_post", post_id=post.id),
            "author": link("users.get_user", user_id=post.user_id),
            "html": link("blog.post", post_id=post.id, slug=post.slug),
        },
    }


def collection(found: Page, items: list[dict[str, Any]], *, total_items: int | None = None,
               cursors: bool = False) -> dict[str, Any]:
    """Chapter 23's envelope: the items, ``_meta`` and ``_links``. ``total_items`` is
    given where it is known without counting a long list (``total_pages`` follows).
    With ``cursors``, ``next`` and ``prev`` carry the keyset cursors of
    :mod:`microblog.pagination`, so every page costs what the first does."""
    def page_link(**changes: Any) -> str:
        args = {key: value for key, value in request.args.items()
                if key not in {"page", "before", "after"}}
        args["per_page"] = found.per_page
        return url_for(request.endpoint, **(request.view_args or {}), **args, **changes)

    if cursors and found.next_cursor:
        next_link = (page_link(page=found.page + 1, before=found.next_cursor)
                     if found.has_next else None)
        prev_link = (page_link(page=max(1, found.page - 1), after=found.prev_cursor)
                     if found.has_prev and found.more_newer else
                     page_link(page=found.page - 1) if found.has_prev else None)
    else:
        next_link = page_link(page=found.page + 1) if found.has_next else None
        prev_link = page_link(page=found.page - 1) if found.has_prev else None
    total_pages = None if total_items is None else max(1, ceil(total_items / found.per_page))
    return {
        "items": items,
        "_meta": {"page": found.page, "per_page": found.per_page,
                 "total_pages": total_pages, "total_items": total_items},
        "_links": {"self": page_link(page=found.page), "next": next_link, "prev": prev_link},
    }


def people(found: Page, users: Sequence[User], viewer: User | None, *,
           total_items: int | None = None) -> dict[str, Any]:
    """A page of users in the envelope, whatever the list (followers, likers, blocked,
    search results)."""
    return collection(found, [user(person, viewer) for person in users],
                      total_items=total_items)


def per_page(asked: int | None, setting: int, maximum: int) -> int:
    """``?per_page=``, or the pages' own size, never more than ``maximum`` (100)."""
    return min(asked or setting, maximum)



def author(person: Any) -> dict[str, Any]:
    return {"id": person.id, "username": person.username, "avatar": person.avatar(AVATAR_SIZE)}


def comment(comment: Any, *, body: str | None = None) -> dict[str, Any]:
    """A comment: a model or a listing alike."""
    shown = {
        "id": comment.id, "body_html": comment.body_html, "created_at": comment.created_at,
        "edited_at": comment.edited_at, "author": author(comment.author),
        "_links": {"self": link("comments.get_comment", comment_id=comment.id),
                  "post": link("posts.get_post", post_id=comment.post.id)},
    }
    if body is not None:
        shown["body"] = body
    return shown


def message(message: Any) -> dict[str, Any]:
    return {"id": message.id, "sender": author(message.sender), "body_html": message.body_html,
            "created_at": message.created_at}


def task(task: Any, download: str | None = None) -> dict[str, Any]:
    return {"id": task.id, "name": task.name, "state": str(task.state.value),
            "progress": task.progress, "error": task.error, "download": download}
