"""The audit trail: each security event leaves one line saying who, what and from where."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import PASSWORD
from tests.smtp import link_path

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def events(caplog):
    """The audit records logged so far, as their field dicts."""
    caplog.set_level(logging.INFO, logger="microblog.audit")

    def recorded(name: str | None = None) -> list[dict]:
        found = [r.audit for r in caplog.records if r.name == "microblog.audit"]
        return [f for f in found if name is None or f["event"] == name]

    return recorded


def test_login_success_failure_and_logout(client, make_user, events):
    susan = make_user("susan")
    client.login("susan", "wrong password")
    client.login("nobody", "whatever")
    client.login("susan")
    client.logout()

    failures = events("login.failure")
    assert [f.get("username") for f in failures] == ["susan", "nobody"]
    assert all(f["reason"] == "bad_credentials" and f["ip"] == "127.0.0.1" for f in failures)
    assert "user_id" not in failures[0]  # a failed login proves nobody's identity
    (success,) = events("login.success")
    assert success["user_id"] == susan.id
    assert success["request_id"]
    assert [e["user_id"] for e in events("logout")] == [susan.id]


def test_a_disabled_account_cannot_log_in(client, make_user, events, app):
    from microblog.extensions import db

    susan = make_user("susan")
    susan.disabled = True
    db.session.commit()

    response = client.login("susan")

    assert response.status_code == 422
    assert "This account has been disabled." in response.get_data(as_text=True)
    assert client.get("/edit_profile").status_code == 302
    assert events("login.failure")[0]["reason"] == "disabled"


def test_password_change_and_reset(mail_client, smtp_server, make_user, events):
    susan = make_user("susan", "susan@example.com")
    mail_client.submit("/auth/reset_password_request", {"email": "susan@example.com"})
    path = link_path(smtp_server.inbox.next_message(), "/auth/reset_password/")
    mail_client.submit(path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    mail_client.login("susan", NEW_PASSWORD)
    mail_client.submit("/settings/password", {"current_password": NEW_PASSWORD,
                                              "password": PASSWORD, "password2": PASSWORD})

    assert events("password.reset_request")[0]["user_id"] == susan.id
    assert events("password.reset")[0]["user_id"] == susan.id
    assert events("password.change")[0]["user_id"] == susan.id


def test_email_change_and_account_deletion(mail_client, smtp_server, make_user, events):
    susan = make_user("susan", "susan@example.com")
    mail_client.login("susan")
    mail_client.submit("/settings/email", {"email": "new@example.com", "password": PASSWORD})
    messages = [smtp_server.inbox.next_message(), smtp_server.inbox.next_message()]
    (to_new,) = [m for m in messages if m["X-Envelope-To"] == "new@example.com"]
    mail_client.submit(link_path(to_new, "/auth/confirm/"))
    mail_client.submit("/settings/delete_account", {"password": PASSWORD, "understood": "y"})

    (change,) = events("email.change")
    assert (change["user_id"], change["old_email"], change["new_email"]) == (
        susan.id, "susan@example.com", "new@example.com")
    (deletion,) = events("account.delete")
    assert deletion["username"] == "susan"
