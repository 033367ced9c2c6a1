"""Session safety: cookie flags in production, strong session protection, a real secret key."""

from __future__ import annotations

import pytest

from microblog import create_app
from tests.conftest import CSRF_META, PASSWORD

HTTPS = "https://microblog.example"
# Over HTTPS, Flask-WTF checks that a form was posted from our own pages (Referer).
FROM_OUR_LOGIN_PAGE = {"Referer": f"{HTTPS}/auth/login"}


def cookie_attributes(response, name: str) -> dict[str, str]:
    """The attributes of the ``Set-Cookie`` for ``name``, keys lower-cased."""
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        if first.split("=", 1)[0] == name:
            found = {}
            for attribute in attributes:
                key, _, value = attribute.partition("=")
                found[key.lower()] = value
            return found
    raise AssertionError(f"no Set-Cookie for {name!r}")


def test_production_login_cookies_are_secure_httponly_and_samesite(production_app, make_user):
    make_user("susan")
    browser = production_app().test_client()

    response = browser.post("/auth/login", base_url=HTTPS, headers=FROM_OUR_LOGIN_PAGE, data={
        "csrf_token": csrf_token_over_https(browser),
        "username": "susan", "password": PASSWORD, "remember_me": "y",
    })

    assert response.status_code == 302
    for name in ("session", "remember_token", "device"):
        attributes = cookie_attributes(response, name)
        assert "secure" in attributes, name
        assert "httponly" in attributes, name
        assert attributes["samesite"] == "Lax", name
    # The device cookie (microblog/known_devices.py) outlives the others, and only the
    # sign-in form reads it, so no other request carries it.
    device = cookie_attributes(response, "device")
    assert device["path"] == "/auth/login"
    assert int(device["max-age"]) == browser.application.config["DEVICE_COOKIE_DURATION"]
    assert browser.get("/edit_profile", base_url=HTTPS).status_code == 200


def csrf_token_over_https(browser) -> str:
    page = browser.get("/auth/login", base_url=HTTPS).get_data(as_text=True)
    return CSRF_META.search(page).group(1)


def log_in_as(client, username: str, user_agent: str, remember: bool = False) -> None:
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    extra = {"remember_me": "y"} if remember else {}
    assert client.login(username, **extra).status_code == 302
    assert client.get("/edit_profile").status_code == 200


def stolen_cookies(victim, thief, *names: str) -> None:
    for name in names:
        thief.set_cookie(name, victim.get_cookie(name).value)


def test_a_session_cookie_replayed_from_another_browser_is_logged_out(app, client, make_user):
    make_user("susan")
    victim, thief = client, app.test_client()
    log_in_as(victim, "susan", "Firefox/140.0")

    stolen_cookies(victim, thief, "session")
    thief.environ_base["HTTP_USER_AGENT"] = "curl/8.14"
    response = thief.get("/edit_profile")

    assert response.status_code == 302
    assert response.location.startswith("/auth/login")
    assert victim.get("/edit_profile").status_code == 200, "the owner's own session is untouched"


def test_a_session_cookie_replayed_from_another_address_is_logged_out(app, client, make_user):
    make_user("susan")
    victim, thief = client, app.test_client()
    log_in_as(victim, "susan", "Firefox/140.0")

    stolen_cookies(victim, thief, "session")
    thief.environ_base.update(HTTP_USER_AGENT="Firefox/140.0", REMOTE_ADDR="198.51.100.23")
    response = thief.get("/edit_profile")

    assert response.status_code == 302
    assert response.location.startswith("/auth/login")


def test_a_stolen_remember_me_cookie_is_cleared_not_honoured(app, client, make_user):
    make_user("susan")
    victim, thief = client, app.test_client()
    log_in_as(victim, "susan", "Firefox/140.0", remember=True)

    stolen_cookies(victim, thief, "session", "remember_token")
    thief.environ_base["HTTP_USER_AGENT"] = "curl/8.14"
    response = thief.get("/edit_profile")

    assert response.status_code == 302
    assert thief.get_cookie("remember_token") is None, "the remember-me cookie was deleted"
    assert thief.get("/edit_profile").status_code == 302


def test_the_same_browser_stays_logged_in(client, make_user):
    make_user("susan")
    log_in_as(client, "susan", "Firefox/140.0")

    for _ in range(3):
        assert client.get("/edit_profile").status_code == 200


def test_production_refuses_a_short_secret_key():
    with pytest.raises(RuntimeError, match=r"SECRET_KEY is too short \(12 characters; at least 32"):
        create_app("production", {"SECRET_KEY": "changeme1234",
                                  "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize("key", [" " * 40, "x" * 64, "password" * 4, "ab" * 32],
                         ids=["spaces", "one-letter", "a-word-repeated", "two-letters"])
def test_production_refuses_a_long_but_predictable_secret_key(key):
    with pytest.raises(RuntimeError, match="SECRET_KEY is too predictable"):
        create_app("production", {"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_accepts_a_long_random_key(production_app):
    assert production_app().test_client().get("/health").status_code == 200
