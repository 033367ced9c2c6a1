"""Blocks: the people you blocked, blocking and unblocking someone. The blocks service
ends the follows between you and keeps the block's rules everywhere else."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app

from microblog.api import representations as shown
from microblog.api.auth import token_auth
from microblog.api.schemas import PageQuery, UserPage
from microblog.services import accounts, blocks

bp = APIBlueprint("blocks", __name__, url_prefix="/api", tag="Blocks")


@bp.get("/me/blocked")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query")
@bp.output(UserPage)
@bp.doc(summary="List the people you blocked", responses=[401, 404])
def get_blocked(query_data: dict):
    viewer = token_auth.current_user
    per_page = shown.per_page(query_data.get("per_page"), current_app.config["USERS_PER_PAGE"],
                              current_app.config["API_MAX_PER_PAGE"])
    found = blocks.blocked_by(viewer, query_data["page"], per_page)
    return shown.people(found, found.items, viewer)


@bp.post("/me/blocked/<int:user_id>")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="Block a user", responses=[401, 404, 422])
def block(user_id: int):
    """Blocking twice changes nothing."""
    blocks.block(token_auth.current_user, accounts.get_user_by_id(user_id).username)
    return "", 204


@bp.delete("/me/blocked/<int:user_id>")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="Unblock a user", responses=[401, 404])
def unblock(user_id: int):
    """Unblocking someone not blocked (yourself too) changes nothing."""
    blocks.unblock(token_auth.current_user, accounts.get_user_by_id(user_id).username)
    return "", 204
