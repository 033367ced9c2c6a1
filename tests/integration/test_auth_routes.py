"""Registering, logging in and logging out, through the HTML pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.user import User
from tests.conftest import PASSWORD
from tests.pages import alerts, field_error, parse

NEW_ACCOUNT = {
    "username": "alice",
    "email": "alice@example.com",
    "password": PASSWORD,
    "password2": PASSWORD,
}


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def is_logged_in(client) -> bool:
    """What the user sees: a members-only page opens instead of bouncing to the login
    page (the home page opens either way: signed out, it is the front door)."""
    return client.get("/edit_profile").status_code == 200


# --- register -----------------------------------------------------------------------------


def test_register_creates_the_account_and_sends_to_sign_in(client):
    response = client.submit("/auth/register", {**NEW_ACCOUNT, "email": "Alice@Example.COM"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert alerts(parse(client.get("/auth/login"))) == [
        "Thank you for registering! We have sent a message to Alice@Example.COM: open the "
        "link in it to confirm your address. You can sign in now."]
    assert not is_logged_in(client)
    user = db.session.scalar(sa.select(User).where(User.username == "alice"))
    assert user.email == "alice@example.com"
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD)


def test_the_new_account_can_log_in(client):
    client.submit("/auth/register", NEW_ACCOUNT)
    assert not is_logged_in(client)

    assert client.login("alice").status_code == 302
    assert is_logged_in(client)


def test_a_new_member_reads_one_message_at_each_step(client, make_user):
    """Registering, then signing in: one clear message each time, never a stack of them."""
    make_user("someone")  # not the site's first account
    client.submit("/auth/register", NEW_ACCOUNT)
    assert len(alerts(parse(client.get("/auth/login")))) == 1
    client.login("alice")

    home = parse(client.get("/index"))

    assert alerts(home) == []  # the flash was read on the login page
    assert len(list(home.find_all(id="confirm-email-banner"))) == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"username": "susan"}, "username", "That username is taken. Please choose another."),
        ({"username": "SuSaN"}, "username", "That username is taken. Please choose another."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": "alice@"}, "email", "Enter a valid email address."),
        (
            {"password": "7 chars", "password2": "7 chars"},
            "password",
            "Passwords are at least 8 characters long.",
        ),
        ({"password2": PASSWORD + "!"}, "password2", "Passwords must match."),
        ({"username": "al"}, "username", "Usernames are 3 to 64 characters long."),
        (
            {"username": "alice smith"},
            "username",
            "Use only letters, digits, dots, dashes and underscores.",
        ),
    ],
)
def test_register_rejects_bad_input_next_to_its_field(client, make_user, change, field, message):
    make_user("susan")

    response = client.submit("/auth/register", {**NEW_ACCOUNT, **change})

    assert response.status_code == 422
    page = parse(response)
    assert field_error(page, field) == message
    for other in {"username", "email", "password", "password2"} - {field}:
        assert field_error(page, other) == ""
    assert user_count() == 1  # only susan
    assert not is_logged_in(client)


def test_register_shows_every_broken_rule_at_once(client):
    response = client.submit(
        "/auth/register",
        {"username": "a b", "email": "nope", "password": "short", "password2": "short"},
    )

    assert response.status_code == 422
    page = parse(response)
    assert field_error(page, "username") == (
        "Use only letters, digits, dots, dashes and underscores."
    )
    assert field_error(page, "email") == "Enter a valid email address."
    assert field_error(page, "password") == "Passwords are at least 8 characters long."
    assert user_count() == 0


def test_register_keeps_what_was_typed_except_passwords(client):
    response = client.submit("/auth/register", {**NEW_ACCOUNT, "email": "nope"})

    page = parse(response)
    assert page.find("input", name="username").attrs["value"] == "alice"
    assert page.find("input", name="email").attrs["value"] == "nope"
    assert PASSWORD not in response.get_data(as_text=True)


# --- login --------------------------------------------------------------------------------


def test_login_with_right_credentials_goes_home(client, make_user):
    make_user("susan")

    response = client.login("susan")

    assert response.status_code == 302
    assert response.headers["Location"] == "/index"
    assert parse(client.get("/index")).find("h1").text == "Hi, susan!"


def test_login_ignores_the_case_of_the_username(client, make_user):
    make_user("susan")

    assert client.login("SUSAN").status_code == 302
    assert parse(client.get("/index")).find("h1").text == "Hi, susan!"


def test_wrong_password_and_unknown_user_get_the_same_generic_message(client, make_user):
    make_user("susan")

    wrong_password = client.login("susan", "not the password")
    unknown_user = client.login("nobody", PASSWORD)

    for response in (wrong_password, unknown_user):
        assert response.status_code == 422
        assert alerts(parse(response)) == ["Invalid username or password."]
    assert not is_logged_in(client)


def test_remember_me_keeps_the_user_logged_in_without_the_session_cookie(client, make_user):
    make_user("susan")

    client.login("susan", remember_me="y")
    remember = client.get_cookie("remember_token")
    assert remember is not None
    assert remember.http_only
    lasts = remember.expires - datetime.now(UTC)
    assert timedelta(days=29) < lasts <= timedelta(days=30)  # REMEMBER_COOKIE_DAYS
    client.delete_cookie("session")  # the browser was closed

    page = client.get("/index")
    assert page.status_code == 200
    assert parse(page).find("h1").text == "Hi, susan!"


def test_without_remember_me_losing_the_session_cookie_logs_out(client, make_user):
    make_user("susan")

    client.login("susan")
    assert client.get_cookie("remember_token") is None
    client.delete_cookie("session")

    assert not is_logged_in(client)


def test_logout_forgets_the_remember_cookie_too(client, make_user):
    make_user("susan")
    client.login("susan", remember_me="y")

    client.logout()
    client.delete_cookie("session")

    assert not is_logged_in(client)


def test_login_follows_a_relative_next(client, make_user):
    make_user("susan")

    response = client.submit(
        "/auth/login?next=/user/susan", {"username": "susan", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/user/susan"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil.example",
     "/\t/evil.example", "javascript:alert(1)"],
)
def test_login_ignores_a_next_that_leaves_the_site(client, make_user, target):
    make_user("susan")

    response = client.submit(
        "/auth/login", {"username": "susan", "password": PASSWORD},
        query_string={"next": target},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/index"


# --- logout -------------------------------------------------------------------------------


def test_logout_logs_out_and_says_so(client, make_user):
    make_user("susan")
    client.login("susan")

    response = client.logout()

    assert response.status_code == 302
    assert response.headers["Location"] == "/explore"
    assert "You have been logged out." in alerts(parse(client.get("/explore")))
    assert not is_logged_in(client)


def test_logout_by_get_is_not_allowed(client, make_user):
    make_user("susan")
    client.login("susan")

    response = client.get("/auth/logout")

    assert response.status_code == 405
    assert is_logged_in(client)


@pytest.mark.parametrize("token", [None, "forged"])
def test_logout_without_a_valid_csrf_token_is_refused(client, make_user, token):
    make_user("susan")
    client.login("susan")

    response = client.post("/auth/logout", data={"csrf_token": token} if token else {})

    assert response.status_code == 400
    assert parse(response).find(cls="error-page")
    assert is_logged_in(client)


# --- already logged in --------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/auth/login", "/auth/register"])
def test_a_logged_in_user_is_sent_home_from_login_and_register(client, make_user, url):
    make_user("susan")
    client.login("susan")

    response = client.get(url)

    assert response.status_code == 302
    assert response.headers["Location"] == "/index"


def test_a_logged_in_user_following_a_login_link_goes_where_it_points(client, make_user):
    make_user("susan")
    client.login("susan")

    assert client.get("/auth/login?next=/explore").headers["Location"] == "/explore"
    assert client.get("/auth/login?next=//evil.example").headers["Location"] == "/index"


def test_a_logged_in_user_cannot_register_a_second_account(client, make_user):
    make_user("susan")
    client.login("susan")

    response = client.submit("/auth/register", NEW_ACCOUNT)

    assert response.status_code == 302
    assert user_count() == 1
