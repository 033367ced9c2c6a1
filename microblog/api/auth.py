"""Who is calling: HTTP Basic to get tokens, ``Authorization: Bearer`` for the rest.

Only ``POST /api/tokens`` takes a password (``basic_auth``); every other request
carries the access token it returned (``token_auth``), checked by
:func:`microblog.services.api_tokens.user_for_token` in one query. The browser's
session cookie is never read here: a page's cookie cannot make an API write, so
the API needs no CSRF token, and an API token opens no page (the pages know only
the session, ``microblog/services/sessions.py``).
"""

from __future__ import annotations

from apiflask import HTTPBasicAuth, HTTPTokenAuth
from flask import abort, g
from flask_babel import _

from microblog.api.errors import problem
from microblog.models.user import User
from microblog.services import accounts, api_tokens

basic_auth = HTTPBasicAuth(description="Your username and password, to get tokens.")
token_auth = HTTPTokenAuth(scheme="Bearer", description=(
    "The access token from POST /api/tokens (it works for 15 minutes)."))


@basic_auth.verify_password
def verify_password(username: str, password: str) -> User | None:
    """The account, if the password is right (PermissionDenied, a 403, for a disabled
    one: its owner has proved who they are)."""
    if not username or not password:
        return None
    user = accounts.authenticate(username, password)
    if user is not None:
        g.api_user_id = user.id
    return user


@token_auth.verify_token
def verify_token(token: str) -> User | None:
    """The token's user. A token sent that does not work (expired, revoked, made up) is a
    401 even where a token is optional: answered as anyone anonymous, a client whose
    token ran out would read without its drafts and likes, never told to refresh it
    (RFC 6750: ``invalid_token``). No token at all, where one is optional, is anonymous."""
    user = api_tokens.user_for_token(token)
    if user is not None:
        g.api_user_id = user.id
    elif token:
        abort(token_refused())
    return user


@basic_auth.error_processor
def basic_auth_failed(error):
    return problem(error.status_code, _("Wrong username or password."),
                   headers={"WWW-Authenticate": 'Basic realm="Microblog API"'})


@token_auth.error_processor
def token_auth_failed(error):
    return token_refused(error.status_code)


def token_refused(status: int = 401):
    return problem(status, headers={"WWW-Authenticate": 'Bearer realm="Microblog API"'})


# How the OpenAPI document describes an endpoint a caller may read without a token
# (with one, it also says what the caller liked, shows their own drafts and email).
TOKEN_OPTIONAL = [{}, {"BearerAuth": []}]
