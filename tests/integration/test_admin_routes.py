"""The accounts page at /admin/users and its actions, as moderators and admins use them."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.role import Role
from microblog.models.user import User
from tests.pages import Element, alerts, parse


@pytest.fixture
def people(make_user):
    """ada (admin), moe (moderator), and the members susan and tom (email unconfirmed)."""
    users = {name: make_user(name) for name in ("ada", "moe", "susan")}
    users["tom"] = make_user("tom", email_confirmed=False)
    users["moe"].role = Role.MODERATOR
    users["ada"].role = Role.ADMIN
    db.session.commit()
    return users


def stored(username: str) -> tuple[Role, bool]:
    db.session.expire_all()
    return db.session.execute(
        sa.select(User.role, User.disabled).where(User.username == username)
    ).one()


def rows(page: Element) -> dict[str, dict]:
    """The accounts table as a reader sees it, by username."""
    table = {}
    for row in page.find("table", cls="accounts").find_all("tr", cls="account"):
        cells = list(row.find_all("td"))
        select = next(row.find_all("select"), None)
        table[row.attrs["data-username"]] = {
            "profile": cells[0].find("a").attrs["href"],
            "email": cells[1].text,
            "role": (next(o.text for o in select.find_all("option") if "selected" in o.attrs)
                     if select else cells[2].text),
            "role editable": select is not None,
            "status": cells[4].text,
            "buttons": [b.text for b in cells[5].find_all("button")],
        }
    return table


def admin_page(client, url: str = "/admin/users") -> Element:
    response = client.get(url)
    assert response.status_code == 200
    return parse(response)


def form_for(page: Element, username: str, button: str) -> Element:
    row = page.find("tr", data_username=username)
    return next(f for f in row.find_all("form") if button in f.find("button").text)


# --- the table ------------------------------------------------------------------------------


def test_a_moderator_sees_every_account_and_may_disable_members_only(client, people):
    client.login("moe")

    table = rows(admin_page(client))

    assert list(table) == ["ada", "moe", "susan", "tom"]
    assert table["susan"] == {
        "profile": "/user/susan", "email": "susan@example.com", "role": "User",
        "role editable": False, "status": "Active", "buttons": ["Disable"],
    }
    assert table["tom"]["email"] == "tom@example.com unconfirmed"
    assert table["ada"]["role"] == "Administrator" and table["ada"]["buttons"] == []
    assert table["moe"]["role"] == "Moderator" and table["moe"]["buttons"] == []


def test_an_admin_may_change_every_role_but_their_own(client, people):
    client.login("ada")

    table = rows(admin_page(client))

    assert table["ada"]["role editable"] is False
    assert table["ada"]["buttons"] == []
    for name in ("moe", "susan", "tom"):
        assert table[name]["role editable"] is True
        assert table[name]["buttons"] == ["Disable"]
    assert table["moe"]["role"] == "Moderator"


def test_disabling_asks_for_confirmation_first(client, people):
    client.login("moe")

    form = form_for(admin_page(client), "susan", "Disable")

    assert form.attrs["data-confirm"].startswith("Disable susan?")
    scripts = [s.attrs.get("src", "") for s in admin_page(client).find_all("script")]
    assert "/static/js/confirm.js" in scripts
    assert "window.confirm" in client.get("/static/js/confirm.js").get_data(as_text=True)


def test_the_filter_keeps_usernames_containing_the_text(client, people):
    client.login("moe")

    page = admin_page(client, "/admin/users?q=US")

    assert list(rows(page)) == ["susan"]
    assert page.find("main").find("input", name="q").attrs["value"] == "US"
    empty = admin_page(client, "/admin/users?q=nobody")
    assert rows(empty) == {}
    assert "No accounts match." in empty.find("table").text


def test_the_table_is_paginated(app, client, people):
    app.config["USERS_PER_PAGE"] = 3
    client.login("moe")

    first = admin_page(client)
    assert list(rows(first)) == ["ada", "moe", "susan"]
    next_link = first.find("a", rel="next").attrs["href"]
    assert next_link == "/admin/users?page=2"
    assert list(rows(admin_page(client, next_link))) == ["tom"]
    assert client.get("/admin/users?page=3").status_code == 404


# --- actions --------------------------------------------------------------------------------


def test_a_moderator_disables_and_enables_a_member(client, people, caplog):
    caplog.set_level(logging.INFO, logger="microblog.audit")
    client.login("moe")
    action = form_for(admin_page(client, "/admin/users?q=s"), "susan", "Disable").attrs["action"]
    assert action == "/admin/users/susan/disable?q=s"

    response = client.submit(action)

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users?q=s"  # back to the same view
    page = admin_page(client, response.headers["Location"])
    assert "susan is disabled and has been logged out." in alerts(page)
    assert rows(page)["susan"]["status"] == "Disabled"
    assert rows(page)["susan"]["buttons"] == ["Enable"]
    assert stored("susan") == (Role.USER, True)
    assert any(r.audit["event"] == "account.disable" and r.audit["actor"] == "moe"
               for r in caplog.records if r.name == "microblog.audit")

    client.submit("/admin/users/susan/enable")
    assert stored("susan") == (Role.USER, False)
    assert "susan can log in again." in alerts(admin_page(client))


def test_an_admin_changes_a_role(client, people):
    client.login("ada")

    response = client.submit("/admin/users/susan/role", {"role": "moderator"})

    assert response.headers["Location"] == "/admin/users"
    assert "susan's role is now Moderator." in alerts(admin_page(client))
    assert stored("susan") == (Role.MODERATOR, False)


def test_a_moderator_disabling_an_admin_sees_the_table_again_with_the_reason(client, people):
    client.login("moe")

    response = client.submit("/admin/users/ada/disable")

    assert response.status_code == 403
    page = parse(response)
    assert ("Only administrators can disable or enable moderators and administrators."
            in alerts(page))
    assert "ada" in rows(page)
    assert stored("ada") == (Role.ADMIN, False)


@pytest.mark.parametrize(("url", "data", "reason"), [
    ("/admin/users/ada/role", {"role": "user"}, "You cannot change your own role."),
    ("/admin/users/susan/role", {"role": "overlord"},
     "There is no role called overlord. Choose one of: user, moderator, admin."),
    ("/admin/users/susan/role", {}, "Choose a role: user, moderator, admin."),
    ("/admin/users/ada/disable", {}, "You cannot disable or enable your own account."),
])
def test_a_broken_rule_shows_the_table_again_with_422(client, people, url, data, reason):
    client.login("ada")

    response = client.submit(url, data)

    assert response.status_code == 422
    assert reason in alerts(parse(response))
    assert stored("ada") == (Role.ADMIN, False)
    assert stored("susan") == (Role.USER, False)


def test_an_unknown_account_is_a_404(client, people):
    client.login("ada")

    response = client.submit("/admin/users/nobody/disable")

    assert response.status_code == 404
    assert parse(response).find(cls="lead").text == "There is no user called nobody."


def test_actions_need_the_csrf_token_and_a_post(client, people):
    client.login("ada")

    assert client.post("/admin/users/susan/disable").status_code == 400
    assert client.post("/admin/users/susan/role", data={"role": "admin"}).status_code == 400
    assert client.get("/admin/users/susan/disable").status_code == 405
    assert stored("susan") == (Role.USER, False)


# --- cost -----------------------------------------------------------------------------------


def test_the_table_costs_the_same_few_queries_for_5_or_25_accounts(
    app, client, make_user, count_queries
):
    for n in range(30):
        make_user(f"member{n:02d}")
    admin = make_user("ada")
    admin.role = Role.ADMIN
    db.session.commit()
    client.login("ada")
    client.get("/explore")  # any last_seen write happens here, not below

    counts = []
    for per_page in (5, 25):
        app.config["USERS_PER_PAGE"] = per_page
        with count_queries() as statements:
            page = admin_page(client)
        assert len(rows(page)) == per_page
        counts.append(len(statements))

    # The visitor (Flask-Login's user loader), then one page of accounts.
    assert counts == [2, 2], counts
