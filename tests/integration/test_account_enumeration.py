"""Nobody can find out who has an account here from the login or sign-up forms.

Login: a name nobody has costs a password check too, so a wrong answer takes as
long either way (counted here as hash verifications, not timed). Sign-up: an
address that already has an account gets the same page, message and redirect
as a new one; its owner is emailed instead, and nothing is created.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models import user as user_model
from microblog.models.user import User
from tests.conftest import PASSWORD
from tests.pages import alerts, parse
from tests.smtp import link_path, text_part


@pytest.fixture
def hash_checks(monkeypatch) -> list[str]:
    """Every password hash verified from now on (the hash each was checked against)."""
    checked: list[str] = []
    real = user_model.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(user_model, "check_password_hash", counting)
    return checked


@pytest.fixture
def hashes_made(monkeypatch) -> list[str]:
    """Every password hash computed from now on (the method of each)."""
    made: list[str] = []
    real = user_model.generate_password_hash

    def counting(password: str, method: str, **kwargs) -> str:
        made.append(method)
        return real(password, method=method, **kwargs)

    monkeypatch.setattr(user_model, "generate_password_hash", counting)
    return made


def test_an_unknown_name_costs_one_password_check_like_a_known_one(client, make_user,
                                                                    hash_checks):
    susan = make_user("susan")

    known = client.login("susan", "not the password")
    checks_for_known = list(hash_checks)
    unknown = client.login("nobody", "not the password")
    checks_for_unknown = hash_checks[len(checks_for_known):]

    assert (known.status_code, unknown.status_code) == (422, 422)
    assert checks_for_known == [susan.password_hash]
    assert len(checks_for_unknown) == 1
    method = client.application.config["PASSWORD_HASH_METHOD"]
    assert checks_for_unknown[0].startswith(method + "$"), "the same method as real accounts"


def new_account(username: str, email: str) -> dict[str, str]:
    return {"username": username, "email": email, "password": PASSWORD, "password2": PASSWORD}


def answer(client, response) -> tuple[int, str, list[str]]:
    """What the visitor sees after submitting: status, where it goes, the message there."""
    shown = client.get(response.location) if response.location else response
    return response.status_code, response.location, alerts(parse(shown))


def test_a_taken_address_gets_the_answer_a_new_one_gets(mail_client, smtp_server, make_user,
                                                        hashes_made):
    make_user("susan", "susan@example.com")
    hashes_made.clear()

    fresh = mail_client.submit("/auth/register", new_account("alice", "dup@example.com"))
    fresh_answer = answer(mail_client, fresh)
    confirmation = smtp_server.inbox.next_message()
    hashes_for_fresh = len(hashes_made)
    # The same address again, now that it has an account (not alice's: alice is gone).
    db.session.execute(sa.delete(User).where(User.username == "alice"))
    db.session.commit()
    make_user("dup", "dup@example.com")
    hashes_made.clear()

    taken = mail_client.submit("/auth/register", new_account("alice", "dup@example.com"))

    assert answer(mail_client, taken) == fresh_answer
    assert fresh_answer[0] == 302 and fresh_answer[1] == "/auth/login"
    assert len(hashes_made) == hashes_for_fresh == 1, "the same work either way"
    assert confirmation["Subject"] == "Confirm your email address"
    names = db.session.scalars(sa.select(User.username).order_by(User.username)).all()
    assert names == ["dup", "susan"], "no account for alice"

    notice = smtp_server.inbox.next_message()
    assert notice["X-Envelope-To"] == "dup@example.com"
    assert notice["Subject"] == "Someone tried to register with your address"
    body = text_part(notice)
    assert "Hello dup," in body
    assert "no new account was made" in body
    assert link_path(notice, "/auth/login") == "/auth/login"
    assert link_path(notice, "/auth/reset_password_request") == "/auth/reset_password_request"


def test_a_taken_address_in_other_case_is_the_same_address(mail_client, smtp_server,
                                                           make_user):
    make_user("susan", "susan@example.com")

    response = mail_client.submit("/auth/register", new_account("alice", "SUSAN@Example.com"))

    assert response.status_code == 302
    assert smtp_server.inbox.next_message()["X-Envelope-To"] == "susan@example.com"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_a_taken_username_is_still_reported(client, make_user):
    """Usernames are public (every profile is at /user/<name>): saying so hides nothing."""
    make_user("susan", "susan@example.com")

    response = client.submit("/auth/register", new_account("SuSaN", "other@example.com"))

    assert response.status_code == 422
    assert "That username is taken. Please choose another." in response.get_data(as_text=True)
