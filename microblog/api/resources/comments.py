"""Comments: a post's comments (oldest first), writing one, changing your own while the
window lasts, deleting (its author, the post's author, a moderator: the comments
service's rules)."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app, url_for

from microblog.api import representations as shown
from microblog.api.auth import TOKEN_OPTIONAL, token_auth
from microblog.api.schemas import CommentIn, CommentOut, CommentPage, PageQuery
from microblog.services import comments, posts

bp = APIBlueprint("comments", __name__, url_prefix="/api", tag="Comments")


def _one(comment) -> dict:
    return shown.comment(comment, body=comment.body)


@bp.get("/posts/<int:post_id>/comments")
@bp.auth_required(token_auth, optional=True)
@bp.input(PageQuery, location="query")
@bp.output(CommentPage)
@bp.doc(security=TOKEN_OPTIONAL, summary="List a post's comments", responses=[404])
def get_comments(post_id: int, query_data: dict):
    post = posts.get_post(post_id, token_auth.current_user)
    per_page = shown.per_page(query_data.get("per_page"),
                              current_app.config["COMMENTS_PER_PAGE"],
                              current_app.config["API_MAX_PER_PAGE"])
    found = comments.for_post(post, query_data["page"], per_page)
    return shown.collection(found, [shown.comment(c) for c in found.items],
                            total_items=post.comment_count)


@bp.post("/posts/<int:post_id>/comments")
@bp.auth_required(token_auth)
@bp.input(CommentIn, location="json")
@bp.output(CommentOut, status_code=201)
@bp.doc(summary="Comment on a post", responses=[401, 403, 404, 415, 422])
def new_comment(post_id: int, json_data: dict):
    comment = comments.add(token_auth.current_user, post_id, json_data["body"])
    headers = {"Location": url_for("comments.get_comment", comment_id=comment.id)}
    return _one(comments.get_comment(comment.id)), 201, headers


@bp.get("/comments/<int:comment_id>")
@bp.auth_required(token_auth, optional=True)
@bp.output(CommentOut)
@bp.doc(security=TOKEN_OPTIONAL, summary="Read a comment", responses=[404])
def get_comment(comment_id: int):
    return _one(comments.get_comment(comment_id))


@bp.put("/comments/<int:comment_id>")
@bp.auth_required(token_auth)
@bp.input(CommentIn, location="json")
@bp.output(CommentOut)
@bp.doc(summary="Change your comment", responses=[401, 403, 404, 415, 422])
def update_comment(comment_id: int, json_data: dict):
    """Its author alone, within the minutes the site allows."""
    comment = comments.edit(token_auth.current_user, comments.get_comment(comment_id),
                            json_data["body"])
    return _one(comment)


@bp.delete("/comments/<int:comment_id>")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="Delete a comment", responses=[401, 403, 404])
def delete_comment(comment_id: int):
    """Its author, the post's author, or a moderator."""
    comments.delete(token_auth.current_user, comments.get_comment(comment_id))
    return "", 204
