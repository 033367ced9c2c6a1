"""Tokens: sign in (``POST``, HTTP Basic), refresh (``PUT``), sign out (``DELETE``).

The refresh token comes back in the body and in an ``HttpOnly``, ``SameSite=Strict``
cookie whose path is ``/api/tokens``, as microblog-api does: a script in a browser
can then refresh without ever reading the refresh token (nothing on the page can
steal it), and no other request carries it. A client that is no browser keeps it
from the body and sends it back in the body.
"""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app, request
from flask_babel import _

from microblog.api.auth import basic_auth, token_auth
from microblog.api.schemas import RefreshRequest, Tokens
from microblog.errors import ValidationError
from microblog.models.api_token import ApiToken
from microblog.rate_limits import api_tokens_per_ip, api_tokens_per_username
from microblog.services import api_tokens

bp = APIBlueprint("tokens", __name__, url_prefix="/api", tag="Tokens")

REFRESH_COOKIE = "refresh_token"
COOKIE_PATH = "/api/tokens"


def _answer(pair: ApiToken, status: int = 200):
    body = {"access_token": pair.access_token, "refresh_token": pair.refresh_token,
            "token_type": "Bearer",
            "expires_in": int(api_tokens.access_lifetime().total_seconds())}
    response = current_app.json.response(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"  # tokens are never kept by a cache
    response.set_cookie(
        REFRESH_COOKIE, pair.refresh_token, path=COOKIE_PATH, httponly=True, samesite="Strict",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        max_age=int(api_tokens.refresh_lifetime().total_seconds()))
    return response


@bp.post("/tokens")
@api_tokens_per_ip
@api_tokens_per_username
@bp.auth_required(basic_auth)
@bp.output(Tokens, status_code=201)
@bp.doc(summary="Sign in: get an access and a refresh token", responses=[401, 403, 429])
def new_token():
    """HTTP Basic with your username and password. The access token works for 15
    minutes; spend the refresh token with ``PUT /api/tokens`` for the next pair."""
    return _answer(api_tokens.issue(basic_auth.current_user), 201)


@bp.put("/tokens")
@bp.input(RefreshRequest, location="json", arg_name="body")
@bp.output(Tokens)
@bp.doc(summary="Refresh: spend a refresh token for a new pair", security=[],
        responses=[401, 415, 422])
def refresh_token(body: dict):
    """The refresh token from the body, else from the ``refresh_token`` cookie. Each
    one works once: a refresh token used a second time revokes every token of the
    sign-in it came from (someone copied it)."""
    token = body.get("refresh_token") or request.cookies.get(REFRESH_COOKIE)
    if not token:
        raise ValidationError(_("Send the refresh token."), field="refresh_token")
    return _answer(api_tokens.refresh(token))


@bp.delete("/tokens")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(summary="Sign out: revoke the tokens of this sign-in", responses=[401])
def revoke_token():
    """Revokes the access token sent, its refresh token, and every pair refreshed from
    the same sign-in."""
    api_tokens.revoke(token_auth.current_user.api_token)
    response = current_app.response_class(status=204)
    response.delete_cookie(REFRESH_COOKIE, path=COOKIE_PATH, httponly=True, samesite="Strict")
    return response
