"""Likes: like or unlike a published post; both are idempotent (``PUT`` and ``DELETE``)."""

from __future__ import annotations

from apiflask import APIBlueprint

from microblog.api.auth import token_auth
from microblog.services import likes

bp = APIBlueprint("likes", __name__, url_prefix="/api", tag="Likes")


@bp.put("/posts/<int:post_id>/like")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="Like a post", responses=[401, 403, 404])
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
