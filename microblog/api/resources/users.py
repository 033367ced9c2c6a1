"""Users, as chapter 23 has them: read one, list them, their followers and the people
they follow; register (``POST``, the sign-up form's rules and email); change your own
profile (``PUT``)."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app, url_for
from flask_babel import _

from microblog.api import representations as shown
from microblog.api.auth import TOKEN_OPTIONAL, token_auth
from microblog.api.schemas import NewUser, PageQuery, Registered, UserChanges, UserOut, UserPage
from microblog.errors import PermissionDenied
from microblog.rate_limits import register_per_ip
from microblog.services import accounts, follows

bp = APIBlueprint("users", __name__, url_prefix="/api", tag="Users")


def _limits(query: dict) -> tuple[int, int]:
    return query["page"], shown.per_page(query.get("per_page"),
                                         current_app.config["USERS_PER_PAGE"],
                                         current_app.config["API_MAX_PER_PAGE"])


@bp.get("/users/<int:user_id>")
@bp.auth_required(token_auth, optional=True)
@bp.output(UserOut)
@bp.doc(security=TOKEN_OPTIONAL, summary="Read a user", responses=[404])
def get_user(user_id: int):
    """One account; ``email`` is there only when it is the caller's own."""
    user = accounts.get_user_by_id(user_id)
    return shown.user(user, token_auth.current_user)


@bp.get("/users")
@bp.auth_required(token_auth, optional=True)
@bp.input(PageQuery, location="query")
@bp.output(UserPage)
@bp.doc(security=TOKEN_OPTIONAL, summary="List users", responses=[404])
def get_users(query_data: dict):
    """Every account, by username."""
    found, total = accounts.directory(*_limits(query_data))
    return shown.people(found, found.items, token_auth.current_user, total_items=total)


@bp.get("/users/<int:user_id>/followers")
@bp.auth_required(token_auth, optional=True)
@bp.input(PageQuery, location="query")
@bp.output(UserPage)
@bp.doc(security=TOKEN_OPTIONAL, summary="List a user's followers", responses=[404])
def get_followers(user_id: int, query_data: dict):
    user = accounts.get_user_by_id(user_id)
    found = follows.followers_of(user, *_limits(query_data))
    return shown.people(found, [person.user for person in found.items],
                        token_auth.current_user, total_items=user.follower_count)


@bp.get("/users/<int:user_id>/following")
@bp.auth_required(token_auth, optional=True)
@bp.input(PageQuery, location="query")
@bp.output(UserPage)
@bp.doc(security=TOKEN_OPTIONAL, summary="List the people a user follows", responses=[404])
def get_following(user_id: int, query_data: dict):
    user = accounts.get_user_by_id(user_id)
    found = follows.followed_by(user, *_limits(query_data))
    return shown.people(found, [person.user for person in found.items],
                        token_auth.current_user, total_items=user.following_count)


@bp.post("/users")
@register_per_ip
@bp.input(NewUser, location="json")
@bp.output(Registered, status_code=202)
@bp.doc(summary="Register", responses=[415, 422, 429])
def new_user(json_data: dict):
    """Sign up, with the form's rules: a confirmation link is emailed to the address.

    The answer is the same whether the address was new or already had an account
    (whose owner is emailed instead), as on the sign-up page: it must not tell who
    has an account here. So it is a 202 with no representation; the account is read
    with ``GET /api/users/<id>`` once signed in.
    """
    accounts.register(json_data["username"], json_data["email"], json_data["password"])
    return {"detail": _("Check your email for the link that confirms your address.")}


@bp.put("/users/<int:user_id>")
@bp.auth_required(token_auth)
@bp.input(UserChanges, location="json")
@bp.output(UserOut)
@bp.doc(summary="Change your profile", responses=[403, 404, 415, 422])
def update_user(user_id: int, json_data: dict):
    """Your own username and about-me text; nobody else's."""
    viewer = token_auth.current_user
    user = accounts.get_user_by_id(user_id)
    if user.id != viewer.id:
        raise PermissionDenied(_("You can only change your own profile."))
    accounts.update_profile(user, json_data.get("username", user.username),
                            json_data.get("about_me", user.about_me or ""))
    headers = {"Content-Location": url_for("users.get_user", user_id=user.id)}
    return shown.user(user, viewer), 200, headers
