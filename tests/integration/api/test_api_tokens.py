"""Tokens: signing in with HTTP Basic, bearer access, refresh rotation, reuse detection,
revocation (signing out, a password change or reset, a ban, deleting the account)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.api_token import ApiToken
from microblog.models.base import utcnow
from microblog.models.login_session import hash_token
from microblog.models.role import Role
from microblog.services import accounts, moderation, passwords
from tests.conftest import PASSWORD
from tests.integration.api.conftest import assert_problem, basic, bearer


def me(api, token):
    return api.get("/api/feed", headers=bearer(token))


def test_basic_auth_gives_a_pair_that_opens_the_api(api, make_user):
    make_user("susan")
    response = api.post("/api/tokens", headers=basic("susan", PASSWORD))
    assert response.status_code == 201
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 15 * 60
    assert body["access_token"] != body["refresh_token"]
    assert response.headers["Cache-Control"] == "no-store"
    cookie = response.headers["Set-Cookie"]
    assert "refresh_token=" in cookie and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie and "Path=/api/tokens" in cookie
    assert me(api, body["access_token"]).status_code == 200


def test_only_hashes_are_stored(api, make_user):
    make_user("susan")
    tokens = api.sign_in("susan")
    stored = db.session.scalars(sa.select(ApiToken)).one()
    assert stored.access_token_hash == hash_token(tokens["access_token"])
    assert tokens["access_token"] not in (stored.access_token_hash, stored.refresh_token_hash)


def test_wrong_password_unknown_user_or_no_credentials_is_a_401_problem(api, make_user):
    make_user("susan")
    for headers in (basic("susan", "wrong password"), basic("nobody", PASSWORD), {}):
        body = assert_problem(api.post("/api/tokens", headers=headers), 401)
        assert body["detail"] == "Wrong username or password."
    assert api.post("/api/tokens").headers["WWW-Authenticate"].startswith("Basic")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_a_disabled_account_is_told_so(api, make_user, admin):
    make_user("susan")
    moderation.disable(admin, "susan")
    body = assert_problem(api.post("/api/tokens", headers=basic("susan", PASSWORD)), 403)
    assert "disabled" in body["detail"]


def test_a_missing_or_wrong_bearer_token_is_a_401_with_www_authenticate(api):
    for headers in ({}, bearer("not-a-token"), bearer("x" * 500), {"Authorization": "Bearer"}):
        response = api.get("/api/feed", headers=headers)
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_access_token_stops_working_after_15_minutes(api, make_user):
    make_user("susan")
    tokens = api.sign_in("susan")
    pair = db.session.scalars(sa.select(ApiToken)).one()
    pair.access_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_problem(me(api, tokens["access_token"]), 401)


def test_a_token_that_stopped_working_is_refused_where_a_token_is_optional_too(api, make_user):
    """GET /api/posts answers anyone; a client whose token ran out must be told (and then
    refresh it), not answered as a stranger without its drafts and likes."""
    make_user("susan")
    tokens = api.sign_in("susan")
    pair = db.session.scalars(sa.select(ApiToken)).one()
    pair.access_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    for headers in (bearer(tokens["access_token"]), bearer("not-a-token")):
        response = api.get("/api/posts", headers=headers)
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert api.get("/api/posts", headers={}).status_code == 200  # no token: anyone


def test_refreshing_rotates_both_tokens_and_ends_the_old_pair(api, make_user):
    make_user("susan")
    first = api.sign_in("susan")
    response = api.put("/api/tokens", json={"refresh_token": first["refresh_token"]})
    assert response.status_code == 200
    second = response.get_json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert me(api, second["access_token"]).status_code == 200
    assert_problem(me(api, first["access_token"]), 401)


def test_refreshing_from_the_cookie(api, make_user):
    make_user("susan")
    first = api.sign_in("susan")  # the test client keeps the cookie, as a browser would
    response = api.put("/api/tokens", headers={"Content-Type": "application/json"}, data="{}")
    assert response.status_code == 200
    assert response.get_json()["refresh_token"] != first["refresh_token"]


def test_a_refresh_token_used_twice_revokes_its_whole_family(api, make_user):
    make_user("susan")
    first = api.sign_in("susan")
    other_sign_in = api.post("/api/tokens", headers=basic("susan", PASSWORD)).get_json()
    second = api.put("/api/tokens", json={"refresh_token": first["refresh_token"]}).get_json()
    # The thief (or the owner) replays the spent token: refused, and everything from
    # that sign-in is revoked, even the pair the legitimate refresh got.
    body = assert_problem(api.put("/api/tokens", json={"refresh_token": first["refresh_token"]}),
                          401)
    assert "sign in again" in body["detail"]
    assert_problem(me(api, second["access_token"]), 401)
    assert_problem(api.put("/api/tokens", json={"refresh_token": second["refresh_token"]}), 401)
    # Another sign-in of the same account is its own family, and keeps working.
    assert me(api, other_sign_in["access_token"]).status_code == 200


def test_an_expired_or_unknown_refresh_token_is_refused(api, make_user):
    make_user("susan")
    tokens = api.sign_in("susan")
    assert_problem(api.put("/api/tokens", json={"refresh_token": "nonsense"}), 401)
    pair = db.session.scalars(sa.select(ApiToken)).one()
    pair.refresh_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_problem(api.put("/api/tokens", json={"refresh_token": tokens["refresh_token"]}), 401)


def test_refresh_without_any_token_is_a_422(api):
    body = assert_problem(api.put("/api/tokens", json={}), 422)
    assert "refresh_token" in body["errors"]


def test_signing_out_revokes_the_pair_and_its_refresh_token(api, make_user):
    make_user("susan")
    tokens = api.sign_in("susan")
    response = api.delete("/api/tokens", headers=bearer(tokens["access_token"]))
    assert response.status_code == 204
    assert_problem(me(api, tokens["access_token"]), 401)
    assert_problem(api.put("/api/tokens", json={"refresh_token": tokens["refresh_token"]}), 401)


def test_a_password_change_revokes_every_token(api, make_user):
    susan = make_user("susan")
    tokens = api.sign_in("susan")
    passwords.change_password(susan, PASSWORD, "a brand new password", "a brand new password")
    assert_problem(me(api, tokens["access_token"]), 401)
    assert_problem(api.put("/api/tokens", json={"refresh_token": tokens["refresh_token"]}), 401)


def test_a_password_reset_revokes_every_token(api, make_user):
    from microblog import tokens as links

    susan = make_user("susan")
    tokens = api.sign_in("susan")
    new = "a brand new password"
    passwords.reset_password(links.password_reset_token(susan), new, new)
    assert_problem(me(api, tokens["access_token"]), 401)


def test_a_ban_revokes_every_token(api, make_user, admin):
    make_user("susan")
    tokens = api.sign_in("susan")
    moderation.disable(admin, "susan")
    assert_problem(me(api, tokens["access_token"]), 401)


def test_deleting_the_account_deletes_its_tokens(api, make_user):
    susan = make_user("susan")
    tokens = api.sign_in("susan")
    accounts.delete_account(susan, PASSWORD, understood=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
    assert_problem(me(api, tokens["access_token"]), 401)


def test_checking_a_token_is_one_query(api, make_user, count_queries):
    make_user("susan", role=Role.USER)
    tokens = api.sign_in("susan")
    from microblog.services import api_tokens

    with count_queries() as statements:
        user = api_tokens.user_for_token(tokens["access_token"])
    assert user.username == "susan"
    assert len(statements) == 1


def test_ending_the_other_sessions_in_settings_revokes_api_tokens_too(api, client, make_user):
    make_user("susan")
    tokens = api.sign_in("susan")
    client.login("susan")
    client.submit("/settings/sessions/end_others")
    assert_problem(me(api, tokens["access_token"]), 401)
    assert client.get("/edit_profile").status_code == 200  # this browser stays signed in
