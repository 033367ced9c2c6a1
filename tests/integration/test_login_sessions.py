"""Sign-in sessions: logging out really logs out, and Settings → Sessions lists and ends them.

Each test plays the browsers the way a person (or a thief with a copied cookie)
would, and looks at what they see: the settings page, or the login page instead.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.login_session import LoginSession
from tests.conftest import Client
from tests.pages import alerts, parse

FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/138.0.0.0 Safari/537.36")


def browser(app, user_agent: str = FIREFOX, address: str = "127.0.0.1") -> Client:
    """A browser of its own (cookies, user agent, address)."""
    app.test_client_class = Client
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    return client


def sees_settings(client) -> bool:
    """The settings page opens; otherwise it must be the way to the login page."""
    response = client.get("/settings")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.location.startswith("/auth/login")
    return False


def copy_cookies(source, target, *names: str) -> None:
    for name in names:
        target.set_cookie(name, source.get_cookie(name).value)


def listed(client) -> list[dict[str, str]]:
    """The rows of the sessions page, as the owner reads them."""
    page = parse(client.get("/settings/sessions"))
    return [{
        "id": row.attrs["data-session-id"],
        "device": row.find(cls="device").text,
        "text": row.text,
        "this device": any(row.find_all(cls="this-device")),
        "can end": any(row.find_all("form")),
    } for row in page.find_all("li", cls="login-session")]


# --- logging out ----------------------------------------------------------------------------


def test_a_session_cookie_copied_before_logout_does_not_open_settings_after_it(app, make_user):
    make_user("susan")
    owner, copy = browser(app), browser(app)
    owner.login("susan")
    copy_cookies(owner, copy, "session")
    assert sees_settings(copy), "the copy works while the session does"

    owner.logout()

    assert not sees_settings(copy)
    assert not sees_settings(owner)


def test_a_remember_cookie_copied_before_logout_does_not_sign_in_after_it(app, make_user):
    make_user("susan")
    owner, copy = browser(app), browser(app)
    owner.login("susan", remember_me="y")
    copy_cookies(owner, copy, "remember_token")  # a browser that was closed: no session cookie
    assert sees_settings(copy), "the remember-me cookie alone signs in while the session lives"
    copy.delete_cookie("session")

    owner.logout()

    assert not sees_settings(copy)


def test_a_session_unseen_for_the_remember_me_duration_is_over(app, client, make_user):
    make_user("susan")
    client.login("susan", remember_me="y")
    assert sees_settings(client)

    lifetime = timedelta(seconds=app.config["REMEMBER_COOKIE_DURATION"])
    db.session.execute(sa.update(LoginSession).values(
        last_seen_at=utcnow() - lifetime - timedelta(minutes=1)))
    db.session.commit()

    assert not sees_settings(client)


def test_the_csrf_secret_changes_at_login_and_at_logout(client, make_user):
    make_user("susan")
    before = client.csrf_token()
    client.login("susan")
    signed_in = client.csrf_token()
    client.logout()
    after = client.csrf_token()

    assert len({before, signed_in, after}) == 3
    client.login("susan")
    stale = client.post("/auth/logout", data={"csrf_token": signed_in})
    assert stale.status_code == 400, "a token read before logging out is worth nothing after"
    assert sees_settings(client)


# --- the list of sessions -------------------------------------------------------------------


def test_the_list_shows_each_live_session_with_its_device_and_address(app, make_user):
    make_user("susan")
    make_user("john")
    laptop = browser(app, FIREFOX, "198.51.100.7")
    phone = browser(app, IPHONE, "203.0.113.9")
    gone = browser(app, CHROME, "192.0.2.1")
    johns = browser(app, CHROME, "192.0.2.2")
    for client in (laptop, phone, gone):
        client.login("susan")
    johns.login("john")
    gone.logout()

    rows = listed(phone)

    assert [row["device"] for row in rows] == [
        "Mobile Safari 17 on iOS (iPhone)", "Firefox 140 on Ubuntu"]  # the latest first
    assert [row["this device"] for row in rows] == [True, False]
    assert [row["can end"] for row in rows] == [False, True]  # this one is Logout's job
    assert "Signed in from 203.0.113.9" in rows[0]["text"]
    assert "Signed in from 198.51.100.7" in rows[1]["text"]
    assert "signed in" in rows[1]["text"] and "last seen" in rows[1]["text"]
    assert [row["this device"] for row in listed(laptop)] == [False, True]


def test_the_sessions_page_is_linked_from_the_settings_menu(client, make_user):
    make_user("susan")
    client.login("susan")
    menu = parse(client.get("/settings")).find("nav", cls="nav")
    assert menu.find("a", href="/settings/sessions").text == "Sessions"


def test_ending_a_session_from_another_browser_signs_that_browser_out(app, make_user):
    make_user("susan")
    laptop, phone = browser(app, FIREFOX), browser(app, IPHONE)
    laptop.login("susan", remember_me="y")
    phone.login("susan")
    [laptops_row] = [row for row in listed(phone) if not row["this device"]]

    response = phone.submit(f"/settings/sessions/{laptops_row['id']}/end")

    assert response.status_code == 302
    assert "The session on Firefox 140 on Ubuntu has ended." in alerts(
        parse(phone.get("/settings/sessions")))
    assert not sees_settings(laptop)
    laptop.delete_cookie("session")
    assert not sees_settings(laptop), "its remember-me cookie ended with it"
    assert sees_settings(phone)
    assert [row["device"] for row in listed(phone)] == ["Mobile Safari 17 on iOS (iPhone)"]


def test_ending_all_other_sessions_keeps_only_this_one(app, make_user):
    make_user("susan")
    others = [browser(app, agent) for agent in (FIREFOX, CHROME)]
    for client in others:
        client.login("susan", remember_me="y")
    phone = browser(app, IPHONE)
    phone.login("susan")

    phone.submit("/settings/sessions/end_others")

    assert "2 other sessions have ended." in alerts(parse(phone.get("/settings/sessions")))
    assert [sees_settings(client) for client in others] == [False, False]
    assert sees_settings(phone)
    assert len(listed(phone)) == 1


def test_someone_elses_session_cannot_be_ended(app, make_user):
    make_user("susan")
    make_user("mallory")
    susans, mallorys = browser(app), browser(app, CHROME)
    susans.login("susan")
    mallorys.login("mallory")
    [susans_row] = listed(susans)

    for session_id in (susans_row["id"], "9999", "99999999999999999999999"):
        response = mallorys.submit(f"/settings/sessions/{session_id}/end")
        assert response.status_code == 404, session_id

    assert sees_settings(susans)


def test_ending_a_session_is_a_post_with_csrf(app, make_user):
    make_user("susan")
    laptop, phone = browser(app, FIREFOX), browser(app, IPHONE)
    laptop.login("susan")
    phone.login("susan")
    [laptops_row] = [row for row in listed(phone) if not row["this device"]]
    url = f"/settings/sessions/{laptops_row['id']}/end"

    assert phone.get(url).status_code == 405
    assert phone.post(url).status_code == 400  # no CSRF token
    assert phone.post("/settings/sessions/end_others").status_code == 400

    assert sees_settings(laptop)


def test_the_sessions_page_costs_the_same_queries_for_two_sessions_or_six(
    app, make_user, count_queries
):
    make_user("susan")
    phone = browser(app, IPHONE)
    phone.login("susan")
    browser(app, FIREFOX).login("susan")

    def statements() -> int:
        phone.get("/settings/sessions")  # warm: nothing first-time in the count
        with count_queries() as sent:
            assert phone.get("/settings/sessions").status_code == 200
        return len(sent)

    two = statements()
    for agent in (CHROME, FIREFOX, CHROME, FIREFOX):
        browser(app, agent).login("susan")
    assert len(listed(phone)) == 6

    assert statements() == two


def test_last_seen_is_written_at_most_once_per_interval(app, client, make_user, count_queries):
    make_user("susan")
    client.login("susan")
    client.get("/index")

    with count_queries() as sent:
        for _ in range(3):
            assert client.get("/index").status_code == 200
    assert not [s for s in sent if s.lstrip().upper().startswith("UPDATE")]

    interval = timedelta(seconds=app.config["LAST_SEEN_INTERVAL_SECONDS"])
    long_ago = utcnow() - interval - timedelta(seconds=1)
    db.session.execute(sa.update(LoginSession).values(last_seen_at=long_ago))
    db.session.commit()
    client.get("/index")

    db.session.expire_all()
    assert db.session.scalar(sa.select(LoginSession.last_seen_at)) > long_ago + interval

