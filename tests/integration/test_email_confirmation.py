"""Confirming an email address, on sign-up and when changing it.

Mail goes to a real SMTP server on loopback; the tests follow the links in the
messages that arrived.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.post import Post
from microblog.models.user import User
from tests.conftest import PASSWORD
from tests.pages import alerts, field_error, parse
from tests.smtp import link_path, text_part

CONFIRM = "/auth/confirm/"


def user_named(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def register(client, username="alice"):
    """Sign up, then sign in (sign-up answers every address alike, so it signs no one in)."""
    response = client.submit("/auth/register", {
        "username": username, "email": f"{username}@example.com",
        "password": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 302
    assert client.login(username).status_code == 302
    return response


def test_sign_up_sends_a_link_that_confirms_the_address(mail_client, smtp_server):
    register(mail_client)
    message = smtp_server.inbox.next_message()
    assert message["X-Envelope-To"] == "alice@example.com"
    assert message["Subject"] == "Confirm your email address"
    home = parse(mail_client.get("/index"))
    banner = home.find("div", id="confirm-email-banner")
    assert "Please confirm your email address" in banner.text

    path = link_path(message, CONFIRM)
    page = parse(mail_client.get(path))
    # Opening the link (as a mail scanner would) changes nothing: the button does.
    assert "alice@example.com" in page.find("main").text
    assert not user_named("alice").email_confirmed

    response = mail_client.submit(path, follow_redirects=True)

    assert "Your email address is confirmed" in " ".join(alerts(parse(response)))
    assert user_named("alice").email_confirmed
    home = parse(mail_client.get("/index"))
    assert list(home.find_all("div", id="confirm-email-banner")) == []


def test_unconfirmed_accounts_cannot_post_until_confirmed(mail_client, smtp_server):
    register(mail_client)
    path = link_path(smtp_server.inbox.next_message(), CONFIRM)

    refused = mail_client.submit("/index", {"post": "hello"})
    assert refused.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0

    mail_client.submit(path)
    assert mail_client.submit("/index", {"post": "hello"}).status_code == 302
    assert db.session.scalar(sa.select(Post.body)) == "hello"


def test_confirmation_can_be_turned_off(client, make_user, app):
    app.config["REQUIRE_EMAIL_CONFIRMATION"] = False
    make_user("bob", email_confirmed=False)
    client.login("bob")

    assert list(parse(client.get("/index")).find_all("div", id="confirm-email-banner")) == []
    assert client.submit("/index", {"post": "hello"}).status_code == 302


def test_resend_sends_a_fresh_link(mail_client, smtp_server):
    register(mail_client)
    smtp_server.inbox.next_message()

    response = mail_client.submit("/auth/resend_confirmation", follow_redirects=True)

    assert "We have sent a new confirmation link" in " ".join(alerts(parse(response)))
    mail_client.submit(link_path(smtp_server.inbox.next_message(), CONFIRM))
    assert user_named("alice").email_confirmed


def test_resend_needs_a_login_and_a_post(client):
    assert client.submit("/auth/resend_confirmation").headers["Location"].startswith("/auth/login")
    assert client.get("/auth/resend_confirmation").status_code == 405


def test_a_confirmed_link_clicked_again_says_so(mail_client, smtp_server):
    register(mail_client)
    path = link_path(smtp_server.inbox.next_message(), CONFIRM)
    mail_client.submit(path)

    again = mail_client.submit(path, follow_redirects=True)

    assert "already confirmed" in " ".join(alerts(parse(again)))


def test_a_forged_link_is_refused(client):
    response = client.get("/auth/confirm/not-a-real-token")
    assert response.status_code == 400
    assert "not valid" in parse(response).find("p", cls="lead").text


# --- changing the address ------------------------------------------------------------------


@pytest.fixture
def logged_in_susan(mail_client, make_user):
    make_user("susan", "susan@example.com")
    mail_client.login("susan")
    return mail_client


def change_email(client, email, password=PASSWORD):
    return client.submit("/settings/email", {"email": email, "password": password})


def test_a_new_address_takes_over_only_once_confirmed(logged_in_susan, smtp_server):
    response = change_email(logged_in_susan, "Susan.New@Example.com")
    assert response.headers["Location"] == "/settings/email"

    messages = {m["X-Envelope-To"]: m for m in (smtp_server.inbox.next_message(),
                                                       smtp_server.inbox.next_message())}
    assert set(messages) == {"susan.new@example.com", "susan@example.com"}
    assert "susan.new@example.com" in text_part(messages["susan@example.com"])
    susan = user_named("susan")
    assert (susan.email, susan.pending_email) == ("susan@example.com", "susan.new@example.com")
    page = parse(logged_in_susan.get("/settings/email"))
    assert "susan.new@example.com" in page.find("div", cls="alert-info").text

    logged_in_susan.submit(link_path(messages["susan.new@example.com"], CONFIRM))

    susan = user_named("susan")
    assert (susan.email, susan.pending_email) == ("susan.new@example.com", None)


def test_changing_email_needs_the_password(logged_in_susan, smtp_server):
    response = change_email(logged_in_susan, "other@example.com", password="wrong password")

    assert response.status_code == 422
    assert field_error(parse(response), "password") == "That is not your password."
    assert user_named("susan").pending_email is None


def test_an_address_in_use_is_refused(logged_in_susan, make_user):
    make_user("bob", "bob@example.com")

    taken = change_email(logged_in_susan, "BOB@example.com")
    same = change_email(logged_in_susan, "susan@example.com")

    assert "already registered" in field_error(parse(taken), "email")
    assert field_error(parse(same), "email") == "That is already your email address."
    assert user_named("susan").pending_email is None


def test_cancelling_kills_the_link(logged_in_susan, smtp_server):
    change_email(logged_in_susan, "new@example.com")
    new_link = next(link_path(m, CONFIRM) for m in (smtp_server.inbox.next_message(),
                                                    smtp_server.inbox.next_message())
                    if m["X-Envelope-To"] == "new@example.com")

    logged_in_susan.submit("/settings/email/cancel")

    assert logged_in_susan.get(new_link).status_code == 400
    assert user_named("susan").email == "susan@example.com"


def test_an_address_taken_before_the_click_is_not_stolen(logged_in_susan, smtp_server,
                                                         make_user):
    change_email(logged_in_susan, "new@example.com")
    new_link = next(link_path(m, CONFIRM) for m in (smtp_server.inbox.next_message(),
                                                    smtp_server.inbox.next_message())
                    if m["X-Envelope-To"] == "new@example.com")
    make_user("quick", "new@example.com")

    response = logged_in_susan.submit(new_link, follow_redirects=True)

    assert "already registered" in " ".join(alerts(parse(response)))
    assert user_named("susan").email == "susan@example.com"
    assert user_named("quick").email == "new@example.com"
