"""Forgotten passwords: a link by email that expires, works once, and dies with the password.

Mail goes to a real SMTP server on loopback; each test follows the link from
the message that arrived, as a person would.
"""

from __future__ import annotations

import pytest

from microblog.extensions import db
from microblog.mailer import wait_for_pending
from microblog.models.user import User
from tests.conftest import CSRF_META, PASSWORD
from tests.pages import alerts, field_error, parse
from tests.smtp import html_part, link_path, text_part

NEW_PASSWORD = "a brand new passphrase"


def request_reset(client, email: str):
    return client.submit("/auth/reset_password_request", {"email": email},
                         follow_redirects=True)


@pytest.fixture
def susan(make_user):
    return make_user("susan", "susan@example.com")


def test_the_emailed_link_sets_a_new_password(mail_client, smtp_server, susan):
    request_reset(mail_client, "Susan@Example.com ")
    message = smtp_server.inbox.next_message()

    assert message["X-Envelope-To"] == "susan@example.com"
    assert message["Subject"] == "Reset your password"
    path = link_path(message, "/auth/reset_password/")
    assert path in html_part(message)  # the HTML version links to the same page

    form = parse(mail_client.get(path))
    assert form.find("input", name="password") is not None
    response = mail_client.submit(path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.headers["Location"] == "/auth/login"

    assert mail_client.login("susan", PASSWORD).status_code == 422
    assert mail_client.login("susan", NEW_PASSWORD).status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_email(mail_client, smtp_server, susan):
    unknown = request_reset(mail_client, "nobody@example.com")
    known = request_reset(mail_client, "susan@example.com")

    assert unknown.status_code == known.status_code == 200
    assert alerts(parse(unknown)) == alerts(parse(known))
    assert "If an account uses that address" in alerts(parse(known))[0]
    smtp_server.inbox.next_message()  # susan's
    wait_for_pending()
    assert len(smtp_server.inbox.messages) == 1


def test_a_used_link_does_not_work_twice(mail_client, smtp_server, susan):
    request_reset(mail_client, "susan@example.com")
    path = link_path(smtp_server.inbox.next_message(), "/auth/reset_password/")
    mail_client.submit(path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = mail_client.submit(path, {"password": "attacker password", "password2":
                                      "attacker password"})

    assert again.status_code == 400
    assert "already been used" in parse(again).find("p", cls="lead").text
    assert mail_client.login("susan", NEW_PASSWORD).status_code == 302


def test_a_link_dies_when_the_password_changes_another_way(
    mail_client, smtp_server, susan, client
):
    request_reset(mail_client, "susan@example.com")
    path = link_path(smtp_server.inbox.next_message(), "/auth/reset_password/")
    client.login("susan")
    client.submit("/settings/password", {"current_password": PASSWORD,
                                         "password": NEW_PASSWORD, "password2": NEW_PASSWORD})

    response = mail_client.get(path)

    assert response.status_code == 400
    assert "already been used" in response.get_data(as_text=True)


def test_an_expired_link_is_refused_with_a_way_to_get_a_new_one(client, susan, app):
    from microblog import tokens

    with app.test_request_context():
        token = tokens.password_reset_token(susan)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1  # every token is older than that

    page = parse(client.get(f"/auth/reset_password/{token}"))

    assert "This link has expired." in page.find("p", cls="lead").text
    assert page.find("a", href="/auth/reset_password_request").text == "Send me a new link"


def test_a_tampered_link_is_refused(client, susan, app):
    from microblog import tokens

    with app.test_request_context():
        token = tokens.password_reset_token(susan)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = client.submit(f"/auth/reset_password/{tampered}",
                             {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
    assert client.login("susan", NEW_PASSWORD).status_code == 422


def test_a_confirmation_token_is_not_a_reset_token(client, susan, app):
    from microblog import tokens

    with app.test_request_context():
        token = tokens.confirmation_token(susan, susan.email)

    response = client.get(f"/auth/reset_password/{token}")

    assert response.status_code == 400
    assert "Check that you copied all of it." in parse(response).find("p", cls="lead").text


def test_a_reset_token_is_not_a_confirmation_token(client, make_user, app):
    from microblog import tokens

    tom = make_user("tom", email_confirmed=False)
    with app.test_request_context():
        token = tokens.password_reset_token(tom)

    page = client.get(f"/auth/confirm/{token}")
    sent = client.submit(f"/auth/confirm/{token}")

    assert (page.status_code, sent.status_code) == (400, 400)
    assert "Check that you copied all of it." in parse(sent).find("p", cls="lead").text
    db.session.expire_all()
    assert db.session.get(User, tom.id).email_confirmed is False


def test_the_new_password_obeys_the_registration_rules(mail_client, smtp_server, susan):
    request_reset(mail_client, "susan@example.com")
    path = link_path(smtp_server.inbox.next_message(), "/auth/reset_password/")

    short = parse(mail_client.submit(path, {"password": "short", "password2": "short"}))
    mismatch = parse(mail_client.submit(path, {"password": NEW_PASSWORD, "password2": "x"}))

    assert "at least 8 characters" in field_error(short, "password")
    assert field_error(mismatch, "password2") == "Passwords must match."
    # Nothing changed: the old password works and the link is still usable.
    assert mail_client.login("susan", PASSWORD).status_code == 302
    mail_client.logout()
    assert mail_client.get(path).status_code == 200


def test_a_reset_ends_every_other_session(mail_client, smtp_server, susan, app):
    other_browser = app.test_client()
    other_browser.login("susan", remember_me="y")
    assert other_browser.get("/edit_profile").status_code == 200

    request_reset(mail_client, "susan@example.com")
    path = link_path(smtp_server.inbox.next_message(), "/auth/reset_password/")
    mail_client.submit(path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})

    # The session cookie and the remember-me cookie both hold the old token.
    assert other_browser.get("/edit_profile").status_code == 302


def test_a_reset_confirms_an_unconfirmed_address(mail_client, smtp_server, make_user):
    make_user("newbie", email_confirmed=False)  # its confirmation email went to the outbox
    request_reset(mail_client, "newbie@example.com")
    path = link_path(smtp_server.inbox.next_message(), "/auth/reset_password/")
    mail_client.submit(path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert db.session.scalar(db.select(User).filter_by(username="newbie")).email_confirmed


def test_a_logged_in_visitor_is_sent_home(client, susan):
    client.login("susan")
    response = client.get("/auth/reset_password_request")
    assert response.status_code == 302
    assert response.headers["Location"] == "/index"


def test_the_link_points_at_the_configured_site_not_the_host_header(
    mail_client, smtp_server, susan
):
    evil = "http://evil.example"
    page = mail_client.get("/auth/reset_password_request", base_url=evil)
    token = CSRF_META.search(page.get_data(as_text=True)).group(1)
    sent = mail_client.post("/auth/reset_password_request", base_url=evil,
                            data={"csrf_token": token, "email": "susan@example.com"})
    assert sent.status_code == 302
    message = smtp_server.inbox.next_message()
    assert "http://127.0.0.1:5000/auth/reset_password/" in text_part(message)
    assert "evil.example" not in message.as_string()
