"""The first administrator: the first account on an empty site becomes one
(FIRST_USER_IS_ADMIN), and ``flask seed`` (so ``make run``) says who administers the site
or how to make someone do it."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from microblog.config import DevelopmentConfig, ProductionConfig
from microblog.extensions import db
from microblog.models.role import Role
from microblog.models.user import User
from microblog.seed import DEMO_USERNAME
from tests.conftest import PASSWORD
from tests.pages import parse
from tests.smtp import html_part, text_part

ADMIN_NOTE = "You are an administrator of this site"


@pytest.fixture
def first_user_is_admin(app):
    app.config["FIRST_USER_IS_ADMIN"] = True


@pytest.fixture
def mail_client(sibling_app, smtp_server):
    """A browser on an app with the rule on that sends its mail to ``smtp_server``."""
    return sibling_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port,
                       FIRST_USER_IS_ADMIN=True).test_client()


def roles() -> dict[str, Role]:
    db.session.expire_all()
    return {name: role for name, role in db.session.execute(sa.select(User.username, User.role))}


def sign_up(client, username: str):
    return client.submit("/auth/register", {
        "username": username, "email": f"{username}@example.com",
        "password": PASSWORD, "password2": PASSWORD,
    })


def admin_link_shown(client, username: str) -> bool:
    client.login(username)
    navbar = parse(client.get("/explore")).find("nav")
    client.logout()
    return "Admin" in [link.text for link in navbar.find_all("a")]


def test_the_first_sign_up_is_the_administrator_and_is_told_so(mail_client, smtp_server):
    assert sign_up(mail_client, "owner").status_code == 302

    message = smtp_server.inbox.next_message()
    assert ADMIN_NOTE in text_part(message)
    assert ADMIN_NOTE in html_part(message)
    assert "/admin/users" in text_part(message)
    assert roles() == {"owner": Role.ADMIN}
    assert admin_link_shown(mail_client, "owner")


def test_the_second_sign_up_is_an_ordinary_member(mail_client, smtp_server):
    sign_up(mail_client, "owner")
    smtp_server.inbox.next_message()

    assert sign_up(mail_client, "guest").status_code == 302

    assert ADMIN_NOTE not in text_part(smtp_server.inbox.next_message())
    assert roles() == {"owner": Role.ADMIN, "guest": Role.USER}
    assert not admin_link_shown(mail_client, "guest")


def test_with_the_setting_off_nobody_becomes_administrator(client):
    assert client.application.config["FIRST_USER_IS_ADMIN"] is False
    sign_up(client, "owner")
    sign_up(client, "guest")

    assert roles() == {"owner": Role.USER, "guest": Role.USER}
    assert not admin_link_shown(client, "owner")


def test_a_site_with_accounts_but_no_administrator_makes_nobody_one(app, client, make_user):
    """Only the first account of an empty site: a site whose last administrator left
    does not hand the role to whoever signs up next."""
    make_user("susan")
    app.config["FIRST_USER_IS_ADMIN"] = True

    sign_up(client, "stranger")

    assert roles() == {"susan": Role.USER, "stranger": Role.USER}


def test_first_sign_ups_at_the_same_moment_make_one_administrator(
    app, client, first_user_is_admin
):
    """Two people sign up on an empty site at once: the second waits for the first, and
    finds its account. Five rounds: without the wait, two administrators in one at least."""
    for round in range(5):
        names = (f"ann{round}", f"bob{round}")
        ready = threading.Barrier(len(names))
        answers = []

        def register(username, ready=ready, answers=answers):
            browser = app.test_client()  # a Client, like ``client``
            token = browser.csrf_token()
            ready.wait(timeout=10)
            answers.append(browser.post("/auth/register", data={
                "csrf_token": token, "username": username,
                "email": f"{username}@example.com", "password": PASSWORD,
                "password2": PASSWORD,
            }).status_code)

        threads = [threading.Thread(target=register, args=(name,)) for name in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert answers == [302, 302]
        assert sorted(roles().values()) == [Role.ADMIN, Role.USER], f"round {round}"
        db.session.execute(sa.delete(User))  # an empty site again
        db.session.commit()


def test_the_rule_is_on_for_make_run_and_off_in_production():
    """A public site is open before its owner signs up: there, the operator runs
    ``flask user create-admin`` instead."""
    assert DevelopmentConfig.FIRST_USER_IS_ADMIN is True
    assert ProductionConfig.FIRST_USER_IS_ADMIN is False


def test_make_runs_seed_names_the_demo_administrator(app, first_user_is_admin):
    result = app.test_cli_runner().invoke(args=["seed"])

    assert result.exit_code == 0, result.output
    assert f"Administrators: {DEMO_USERNAME} (the Admin link in the menu)" in result.output
    assert "flask user create-admin USERNAME" in result.output
    assert roles()[DEMO_USERNAME] is Role.ADMIN
    assert sum(role is Role.ADMIN for role in roles().values()) == 1

    again = app.test_cli_runner().invoke(args=["seed"])
    assert f"Administrators: {DEMO_USERNAME}" in again.output


def test_seed_without_the_rule_prints_how_to_make_an_administrator(app):
    result = app.test_cli_runner().invoke(args=["seed"])

    assert result.exit_code == 0, result.output
    assert "No administrator yet. Make one with: flask user create-admin USERNAME" \
        in result.output
    assert Role.ADMIN not in roles().values()

    promoted = app.test_cli_runner().invoke(args=["user", "create-admin", DEMO_USERNAME])
    assert promoted.exit_code == 0, promoted.output
    assert f"Administrators: {DEMO_USERNAME}" in app.test_cli_runner().invoke(
        args=["seed"]).output
