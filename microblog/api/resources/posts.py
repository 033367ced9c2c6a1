"""Posts: every published post (``GET /api/posts``, as Explore), one post, writing a
status or an article (a draft until published, seen by its author alone), editing,
deleting, publishing a draft; and a user's posts (``GET /api/users/<id>/posts``).

Who may do what is the posts service's (``microblog/services/posts.py``): the same
rules as the pages', with the same messages.
"""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app, url_for

from microblog.api import representations as shown
from microblog.api.auth import TOKEN_OPTIONAL, token_auth
from microblog.api.schemas import (
    NewPost,
    PageQuery,
    PostChanges,
    PostOut,
    PostPage,
    PostsQuery,
)
from microblog.models.post import Post
from microblog.models.user import User
from microblog.pagination import Cursor
from microblog.services import accounts, posts, timelines

bp = APIBlueprint("posts", __name__, url_prefix="/api", tag="Posts")


def page_of(query: dict) -> tuple[int, int]:
    return query["page"], shown.per_page(query.get("per_page"),
                                         current_app.config["POSTS_PER_PAGE"],
                                         current_app.config["API_MAX_PER_PAGE"])


def cursor_of(query: dict) -> Cursor | None:
    if query.get("after"):
        return Cursor.parse(query["after"], newer=True)
    return Cursor.parse(query.get("before"))


def listing(found, viewer: User | None, total: int | None = None) -> dict:
    return shown.collection(found, [shown.post(post, viewer) for post in found.items],
                            total_items=total, cursors=True)


def one(post: Post, viewer: User | None) -> dict:
    return shown.post(post, viewer, tags=[tag.name for tag in post.tags], body=post.body)


@bp.get("/posts")
@bp.auth_required(token_auth, optional=True)
@bp.input(PostsQuery, location="query")
@bp.output(PostPage)
@bp.doc(security=TOKEN_OPTIONAL, summary="List every published post, newest first", responses=[404])
def get_posts(query_data: dict):
    """Explore's list: ``_links.next`` carries a cursor, so a page deep in the list costs
    what the first one does. ``total_items`` is null: counting every post is not free."""
    viewer = token_auth.current_user
    return listing(timelines.explore(*page_of(query_data), cursor_of(query_data),
                                     viewer=viewer), viewer)


@bp.get("/users/<int:user_id>/posts")
@bp.auth_required(token_auth, optional=True)
@bp.input(PostsQuery, location="query")
@bp.output(PostPage)
@bp.doc(security=TOKEN_OPTIONAL, summary="List a user's published posts", responses=[404])
def get_user_posts(user_id: int, query_data: dict):
    viewer = token_auth.current_user
    user = accounts.get_user_by_id(user_id)
    found = timelines.posts_by(user, *page_of(query_data), cursor_of(query_data), viewer=viewer)
    return listing(found, viewer, user.post_count)


@bp.get("/drafts")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query")
@bp.output(PostPage)
@bp.doc(summary="List your drafts", responses=[401, 404])
def get_drafts(query_data: dict):
    """Your unpublished articles, last changed first."""
    viewer = token_auth.current_user
    found = timelines.drafts_of(viewer, *page_of(query_data))
    return shown.collection(found, [shown.post(post, viewer) for post in found.items])


@bp.get("/posts/<int:post_id>")
@bp.auth_required(token_auth, optional=True)
@bp.output(PostOut)
@bp.doc(security=TOKEN_OPTIONAL, summary="Read a post", responses=[404])
def get_post(post_id: int):
    """A published post, or your own draft (anyone else's draft is a 404)."""
    viewer = token_auth.current_user
    return one(posts.get_post(post_id, viewer), viewer)


@bp.post("/posts")
@bp.auth_required(token_auth)
@bp.input(NewPost, location="json")
@bp.output(PostOut, status_code=201)
@bp.doc(summary="Write a status or an article", responses=[401, 403, 415, 422])
def new_post(json_data: dict):
    """A ``body`` alone is a status, published at once. With a ``title`` it is an
    article (Markdown), with an optional ``category_id`` and ``tags`` (comma-separated),
    kept as a draft when ``draft`` is true."""
    author = token_auth.current_user
    if json_data.get("title") is not None:
        post = posts.create_article(author, json_data["title"], json_data["body"],
                                    category_id=json_data.get("category_id"),
                                    tags=json_data.get("tags") or "",
                                    publish=not json_data["draft"])
    else:
        post = posts.create_post(author, json_data["body"])
    headers = {"Location": url_for("posts.get_post", post_id=post.id)}
    return one(posts.get_post(post.id, author), author), 201, headers


@bp.put("/posts/<int:post_id>")
@bp.auth_required(token_auth)
@bp.input(PostChanges, location="json")
@bp.output(PostOut)
@bp.doc(summary="Edit your post", responses=[401, 403, 404, 415, 422])
def update_post(post_id: int, json_data: dict):
    """The author alone edits. An article's ``title``, ``category_id`` and ``tags`` stay
    as they were when left out."""
    editor = token_auth.current_user
    post = posts.get_post(post_id, editor)
    tags = json_data.get("tags")
    posts.edit_post(
        editor, post, body=json_data["body"],
        title=json_data.get("title") or post.title,
        category_id=json_data.get("category_id", post.category_id),
        tags=", ".join(tag.name for tag in post.tags) if tags is None else tags)
    return one(posts.get_post(post_id, editor), editor)


@bp.post("/posts/<int:post_id>/publish")
@bp.auth_required(token_auth)
@bp.output(PostOut)
@bp.doc(summary="Publish your draft", responses=[401, 403, 404])
def publish_post(post_id: int):
    """Publishing a post that is already public changes nothing."""
    editor = token_auth.current_user
    posts.publish(editor, posts.get_post(post_id, editor))
    return one(posts.get_post(post_id, editor), editor)


@bp.delete("/posts/<int:post_id>")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="Delete a post", responses=[401, 403, 404])
def delete_post(post_id: int):
    """Its author, or a moderator."""
    user = token_auth.current_user
    posts.delete_post(user, posts.get_post(post_id, user))
    return "", 204
