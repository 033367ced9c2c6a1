"""The settings pages: change password, delete the account."""

from __future__ import annotations

import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.follow import followers
from microblog.models.post import Post
from microblog.models.role import Role
from microblog.models.user import User
from microblog.services import follows, posts
from tests.conftest import PASSWORD
from tests.pages import alerts, field_error, parse
from tests.smtp import text_part

NEW_PASSWORD = "a brand new passphrase"


def count(table) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(table))


def test_settings_need_a_login(client):
    for path in ("/settings", "/settings/password", "/settings/email",
                 "/settings/delete_account"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/auth/login?next=%2Fsettings"), path


def test_the_overview_shows_the_account(client, make_user):
    make_user("susan", "susan@example.com")
    client.login("susan")
    page = parse(client.get("/settings"))
    text = page.find("main").text
    assert "susan@example.com" in text and "confirmed" in text


def test_the_overview_names_the_role_in_words(client, make_user):
    make_user("ada").role = Role.ADMIN
    db.session.commit()
    client.login("ada")
    assert "Administrator" in parse(client.get("/settings")).find("main").text


# --- password -------------------------------------------------------------------------------


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, repeat=NEW_PASSWORD):
    return client.submit("/settings/password", {"current_password": current, "password": new,
                                                 "password2": repeat})


def test_changing_the_password_keeps_this_session_and_ends_the_others(client, make_user, app):
    make_user("susan")
    other_browser = app.test_client()
    other_browser.login("susan", remember_me="y")
    client.login("susan")

    response = change_password(client)

    assert response.headers["Location"] == "/settings"
    assert "Your password has been changed" in " ".join(
        alerts(parse(client.get("/settings"))))
    assert client.get("/edit_profile").status_code == 200
    assert other_browser.get("/edit_profile").status_code == 302  # session, remember-me: dead
    client.logout()
    assert client.login("susan", PASSWORD).status_code == 422
    assert client.login("susan", NEW_PASSWORD).status_code == 302


def test_a_remembered_browser_stays_remembered_after_its_own_change(client, make_user):
    make_user("susan")
    client.login("susan", remember_me="y")
    change_password(client)

    # The session is gone (browser closed); the new remember-me cookie logs back in.
    client.delete_cookie("session")
    assert client.get("/edit_profile").status_code == 200


def test_the_current_password_is_required_and_nothing_changes_without_it(client, make_user):
    make_user("susan")
    client.login("susan")

    response = change_password(client, current="not my password", new="short", repeat="x")

    assert response.status_code == 422
    page = parse(response)
    assert field_error(page, "current_password") == "That is not your current password."
    assert "at least 8 characters" in field_error(page, "password")
    assert field_error(page, "password2") == "Passwords must match."
    client.logout()
    assert client.login("susan", PASSWORD).status_code == 302


def test_the_owner_is_told_by_email(mail_client, smtp_server, make_user):
    make_user("susan", "susan@example.com")
    mail_client.login("susan")
    change_password(mail_client)

    message = smtp_server.inbox.next_message()

    assert message["Subject"] == "Your password was changed"
    assert "/auth/reset_password_request" in text_part(message)


# --- deleting the account -------------------------------------------------------------------


def test_deleting_removes_the_account_and_everything_it_wrote(client, make_user):
    susan, bob = make_user("susan"), make_user("bob")
    posts.create_post(susan, "my first post")
    posts.create_post(bob, "bob stays")
    follows.follow(susan, "bob")
    follows.follow(bob, "susan")
    client.login("susan")

    response = client.submit("/settings/delete_account",
                             {"password": PASSWORD, "understood": "y"}, follow_redirects=True)

    assert "Your account and everything you posted have been deleted" in " ".join(
        alerts(parse(response)))
    db.session.expire_all()
    assert db.session.scalars(sa.select(User.username)).all() == ["bob"]
    assert db.session.scalars(sa.select(Post.body)).all() == ["bob stays"]
    assert count(followers) == 0  # both directions
    assert client.get("/edit_profile").status_code == 302  # logged out
    assert client.get("/user/susan").status_code == 404
    assert client.login("susan").status_code == 422
    # The name and the address are free again.
    make_user("susan")


def test_deleting_needs_the_password_and_the_checkbox(client, make_user):
    susan = make_user("susan")
    posts.create_post(susan, "still here")
    client.login("susan")

    wrong = client.submit("/settings/delete_account", {"password": "nope", "understood": "y"})
    unticked = client.submit("/settings/delete_account", {"password": PASSWORD})
    empty = client.submit("/settings/delete_account", {})

    assert wrong.status_code == unticked.status_code == empty.status_code == 422
    assert field_error(parse(wrong), "password") == "That is not your password."
    assert "Tick this box" in field_error(parse(unticked), "understood")
    assert field_error(parse(empty), "password") == "Enter your password."
    assert "Tick this box" in field_error(parse(empty), "understood")
    assert count(User) == 1 and count(Post) == 1
    assert client.get("/edit_profile").status_code == 200


def test_deleting_is_a_post_with_csrf(client, make_user):
    make_user("susan")
    client.login("susan")

    forged = client.post("/settings/delete_account", data={"password": PASSWORD,
                                                           "understood": "y"})

    assert forged.status_code == 400
    assert count(User) == 1
