"""What moderators and administrators do: disable and enable an account (MODERATE),
change its role, feature an article on Explore (ADMIN). The moderation and posts
services check who may; everyone else gets a 403 with its reason."""

from __future__ import annotations

from apiflask import APIBlueprint

from microblog.api.auth import token_auth
from microblog.api.schemas import AccountState, RoleIn
from microblog.models.user import User
from microblog.services import accounts, moderation, posts

bp = APIBlueprint("moderation", __name__, url_prefix="/api", tag="Moderation")


def _state(user: User) -> dict:
    return {"id": user.id, "username": user.username, "role": user.role.value,
            "disabled": user.disabled}


@bp.post("/users/<int:user_id>/disable")
@bp.auth_required(token_auth)
@bp.output(AccountState)
@bp.doc(summary="Disable an account (moderators)", responses=[401, 403, 404, 422])
def disable(user_id: int):
    """Its sessions end and its API tokens are revoked; disabling twice changes nothing."""
    username = accounts.get_user_by_id(user_id).username
    return _state(moderation.disable(token_auth.current_user, username))


@bp.post("/users/<int:user_id>/enable")
@bp.auth_required(token_auth)
@bp.output(AccountState)
@bp.doc(summary="Enable a disabled account (moderators)", responses=[401, 403, 404, 422])
def enable(user_id: int):
    username = accounts.get_user_by_id(user_id).username
    return _state(moderation.enable(token_auth.current_user, username))


@bp.put("/users/<int:user_id>/role")
@bp.auth_required(token_auth)
@bp.input(RoleIn, location="json")
@bp.output(AccountState)
@bp.doc(summary="Change an account's role (administrators)",
        responses=[401, 403, 404, 415, 422])
def set_role(user_id: int, json_data: dict):
    user = accounts.get_user_by_id(user_id)
    return _state(moderation.set_role(token_auth.current_user, user, json_data["role"]))


@bp.put("/posts/<int:post_id>/feature")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="Pin an article to the top of Explore (administrators)",
        responses=[401, 403, 404, 422])
def feature(post_id: int):
    """Only a published article can be featured."""
    user = token_auth.current_user
    posts.set_featured(user, posts.get_post(post_id, user), True)
    return "", 204


@bp.delete("/posts/<int:post_id>/feature")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="Unpin a featured article (administrators)", responses=[401, 403, 404])
def unfeature(post_id: int):
    user = token_auth.current_user
    posts.set_featured(user, posts.get_post(post_id, user), False)
    return "", 204
