"""``flask user create-admin`` and ``flask user set-role``: the operator's way in."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.role import Role
from microblog.models.user import User

PASSWORD = "a long enough password"


@pytest.fixture
def flask_user(app):
    """Run ``flask user …`` with ``input`` typed at its prompts."""
    runner = app.test_cli_runner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(args=["user", *args], input=input)

    return run


@pytest.fixture
def audit_log(caplog):
    caplog.set_level(logging.INFO, logger="microblog.audit")
    return lambda event: [r.audit for r in caplog.records
                          if r.name == "microblog.audit" and r.audit["event"] == event]


def account(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username_matches(username)))


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


# --- create-admin ---------------------------------------------------------------------------


def test_create_admin_promotes_an_existing_account(flask_user, make_user, audit_log):
    make_user("susan")

    result = flask_user("create-admin", "Susan")

    assert result.exit_code == 0, result.output
    assert "susan's role is now admin." in result.output
    assert account("susan").role is Role.ADMIN
    [line] = audit_log("role.change")
    assert (line["username"], line["actor"], line["new_role"]) == ("susan", "cli", "admin")


def test_create_admin_twice_changes_nothing_the_second_time(flask_user, make_user, audit_log):
    make_user("susan")
    flask_user("create-admin", "susan", "--email", "SUSAN@example.com")

    again = flask_user("create-admin", "susan", "--email", "susan@example.com")

    assert again.exit_code == 0, again.output
    assert "susan's role is already admin." in again.output
    assert len(audit_log("role.change")) == 1


def test_create_admin_creates_a_confirmed_account_with_a_prompted_password(
    flask_user, client, audit_log
):
    result = flask_user("create-admin", "root", "--email", "Root@Example.com",
                        input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat the password:" in result.output
    assert PASSWORD not in result.output  # typed without echo
    assert "Created the account root (root@example.com)." in result.output
    root = account("root")
    assert (root.role, root.email_confirmed) == (Role.ADMIN, True)
    assert audit_log("role.change")[0]["actor"] == "cli"
    client.login("root", PASSWORD)
    assert client.get("/admin/users").status_code == 200


def test_create_admin_asks_again_when_the_passwords_differ(flask_user):
    result = flask_user("create-admin", "root", "--email", "root@example.com",
                        input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "The two entered values do not match." in result.output
    assert account("root").check_password(PASSWORD)


def test_create_admin_without_email_for_a_new_account_fails(flask_user):
    result = flask_user("create-admin", "root")

    assert result.exit_code == 1
    assert "There is no user called root. Give --email to create the account." in result.output
    assert user_count() == 0


def test_create_admin_checks_the_registration_rules_before_asking_for_a_password(
    flask_user, make_user
):
    make_user("susan")

    bad_name = flask_user("create-admin", "no spaces", "--email", "x@example.com")
    taken_email = flask_user("create-admin", "root", "--email", "susan@example.com")

    assert bad_name.exit_code == taken_email.exit_code == 1
    assert "Use only letters, digits, dots, dashes and underscores." in bad_name.output
    assert "That email address is already registered." in taken_email.output
    assert "Password" not in bad_name.output + taken_email.output
    assert user_count() == 1


def test_create_admin_refuses_a_short_password(flask_user):
    result = flask_user("create-admin", "root", "--email", "root@example.com",
                        input="short\nshort\n")

    assert result.exit_code == 1
    assert "Passwords are at least 8 characters long." in result.output
    assert user_count() == 0


def test_create_admin_refuses_another_email_for_an_existing_account(flask_user, make_user):
    make_user("susan")

    result = flask_user("create-admin", "susan", "--email", "mallory@example.com")

    assert result.exit_code == 1
    assert "susan already exists with another email address." in result.output
    assert account("susan").role is Role.USER


# --- set-role -------------------------------------------------------------------------------


def test_set_role_changes_the_role_and_audits_it(flask_user, make_user, audit_log):
    make_user("susan")

    result = flask_user("set-role", "susan", "Moderator")

    assert result.exit_code == 0, result.output
    assert "susan's role is now moderator." in result.output
    assert account("susan").role is Role.MODERATOR
    [line] = audit_log("role.change")
    assert (line["actor"], line["old_role"], line["new_role"]) == ("cli", "user", "moderator")


def test_set_role_for_an_unknown_user_fails(flask_user):
    result = flask_user("set-role", "nobody", "admin")

    assert result.exit_code == 1
    assert "There is no user called nobody." in result.output


def test_set_role_to_an_unknown_role_fails(flask_user, make_user):
    make_user("susan")

    result = flask_user("set-role", "susan", "overlord")

    assert result.exit_code == 2
    assert "'overlord' is not one of 'user', 'moderator', 'admin'" in result.output
    assert account("susan").role is Role.USER


def test_set_role_keeps_the_last_active_admin(flask_user, make_user):
    make_user("ada").role = Role.ADMIN
    db.session.commit()

    result = flask_user("set-role", "ada", "user")

    assert result.exit_code == 1
    assert "ada is the last active administrator. Make someone else an administrator first." \
        in result.output
    assert account("ada").role is Role.ADMIN
