"""Likes: like or unlike a published post, both idempotent (``PUT`` and ``DELETE``), and
who liked it."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app

from microblog.api import representations as shown
from microblog.api.auth import TOKEN_OPTIONAL, token_auth
from microblog.api.schemas import PageQuery, UserPage
from microblog.services import likes

bp = APIBlueprint("likes", __name__, url_prefix="/api", tag="Likes")


@bp.put("/posts/<int:post_id>/like")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="Like a post", responses=[401, 404])
def like(post_id: int):
    likes.like(token_auth.current_user, post_id)
    return "", 204


@bp.delete("/posts/<int:post_id>/like")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="Stop liking a post", responses=[401, 404])
def unlike(post_id: int):
    likes.unlike(token_auth.current_user, post_id)
    return "", 204


@bp.get("/posts/<int:post_id>/likes")
@bp.auth_required(token_auth, optional=True)
@bp.input(PageQuery, location="query")
@bp.output(UserPage)
@bp.doc(security=TOKEN_OPTIONAL, summary="List who liked a post", responses=[404])
def get_likers(post_id: int, query_data: dict):
    """The latest like first."""
    per_page = shown.per_page(query_data.get("per_page"), current_app.config["USERS_PER_PAGE"],
                              current_app.config["API_MAX_PER_PAGE"])
    found = likes.likers(post_id, query_data["page"], per_page)
    return shown.people(found, found.items, token_auth.current_user)
