"""Following: follow or stop following someone (``/api/me/following/<id>``, as
microblog-api names it). The follows service decides (blocks, permissions) and
notifies."""

from __future__ import annotations

from apiflask import APIBlueprint

from microblog.api.auth import token_auth
from microblog.services import accounts, follows

bp = APIBlueprint("follows", __name__, url_prefix="/api", tag="Follows")


@bp.post("/me/following/<int:user_id>")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="Follow a user", responses=[401, 403, 404, 422])
def follow(user_id: int):
    """Following someone twice changes nothing."""
    follows.follow(token_auth.current_user, accounts.get_user_by_id(user_id).username)
    return "", 204


@bp.delete("/me/following/<int:user_id>")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="Stop following a user", responses=[401, 404, 422])
def unfollow(user_id: int):
    follows.unfollow(token_auth.current_user, accounts.get_user_by_id(user_id).username)
    return "", 204
