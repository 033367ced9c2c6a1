"""What assistive technology and password managers read in the markup of every page.

A keyboard or screen-reader user's first stop is a link past the navbar to the
page's ``<main id="content">``; every account field says what it holds
(``autocomplete``), so a password manager fills the sign-in form, offers a strong
password where a new one is chosen, and never puts the old one in "New Password".
Axe in Chromium (tests/e2e/test_accessibility.py) checks the rest of each page.
"""

from __future__ import annotations

import pytest

from microblog import tokens
from microblog.models.role import Role
from tests.pages import Element, parse

ANONYMOUS = ["/explore", "/auth/login", "/auth/register", "/auth/reset_password_request",
             "/user/susan", "/no/such/page"]
SIGNED_IN = ["/index", "/explore", "/user/susan", "/settings", "/settings/password",
             "/write", "/admin/users"]

# The fields of each form a person fills in, by name, and the autocomplete token each needs.
FORMS = {
    "/auth/login": {"username": "username", "password": "current-password"},
    "/auth/register": {"username": "username", "email": "email", "password": "new-password",
                       "password2": "new-password"},
    "/auth/reset_password_request": {"email": "email"},
    "reset": {"password": "new-password", "password2": "new-password"},
    "/settings/password": {"current_password": "current-password",
                           "password": "new-password", "password2": "new-password"},
    "/settings/email": {"email": "email", "password": "current-password"},
    "/settings/delete_account": {"password": "current-password"},
    "/edit_profile": {"username": "username"},
}


def focusable(page: Element) -> list[Element]:
    """The elements Tab reaches, in document order."""
    return [e for e in page.find_all()
            if e.attrs.get("tabindex") != "-1"
            and ((e.tag == "a" and "href" in e.attrs)
                 or e.tag in {"button", "select", "textarea"}
                 or (e.tag == "input" and e.attrs.get("type") != "hidden"))]


def account_fields(page: Element) -> dict[str, str | None]:
    """Each text, email and password input in the page's main, and its autocomplete."""
    main = page.find("main")
    return {e.attrs["name"]: e.attrs.get("autocomplete") for e in main.find_all("input")
            if e.attrs.get("type") in {"text", "email", "password"}}


@pytest.fixture
def susan(make_user):
    return make_user("susan", role=Role.ADMIN)


def assert_skip_link_first(response, path: str) -> None:
    page = parse(response)
    first = focusable(page)[0]
    assert (first.tag, first.attrs.get("href"), first.text) == \
        ("a", "#content", "Skip to main content"), path
    assert "visually-hidden-focusable" in first.attrs["class"].split(), path
    targets = [e.tag for e in page.find_all(id="content")]
    assert targets == ["main"], path


def test_the_first_thing_a_keyboard_reaches_skips_to_the_content(client, susan):
    for path in ANONYMOUS:
        assert_skip_link_first(client.get(path), path)
    client.login("susan")
    for path in SIGNED_IN:
        assert_skip_link_first(client.get(path), path)


def test_every_account_field_says_what_it_holds(client, susan, app):
    with app.app_context():
        reset_path = "/auth/reset_password/" + tokens.password_reset_token(susan)
    for path in ["/auth/login", "/auth/register", "/auth/reset_password_request"]:
        assert account_fields(parse(client.get(path))) == FORMS[path], path
    assert account_fields(parse(client.get(reset_path))) == FORMS["reset"]

    client.login("susan")
    for path in ["/settings/password", "/settings/email", "/settings/delete_account",
                 "/edit_profile"]:
        assert account_fields(parse(client.get(path))) == FORMS[path], path


def test_a_form_sent_back_with_errors_keeps_its_autocomplete(client, susan):
    response = client.submit("/auth/register", {"username": "", "email": "not an address",
                                                "password": "short", "password2": "other"})
    assert response.status_code == 422
    assert account_fields(parse(response)) == FORMS["/auth/register"]
