"""Choosing the language in Chromium: the footer's switcher turns the site Spanish (or
German), the navbar included, and the browser's own Intl writes times in that language
(static/js/local-time.js reads <html lang>)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from microblog.services import posts
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in


def switch_in_footer(page: Page, language_name: str) -> None:
    page.locator("#language-switcher").get_by_role("button", name=language_name).click()


@pytest.mark.e2e
def test_a_visitor_switches_to_spanish_in_the_footer(page: Page, make_user):
    posts.create_post(make_user("ann"), "Spring is here")
    page.goto("/explore?page=1")
    navbar = page.locator("nav.navbar")
    expect(navbar.get_by_role("link", name="Explore")).to_be_visible()

    switch_in_footer(page, "Español")

    expect(navbar.get_by_role("link", name="Inicio")).to_be_visible()
    expect(navbar.get_by_role("link", name="Explorar")).to_be_visible()
    assert page.url.endswith("/explore?page=1")  # back on the page it was on
    expect(page.locator("html")).to_have_attribute("lang", "es")
    # The post's time, written by the browser's Intl in the page's language.
    expect(page.locator("article.post time[data-rendered=local]").first).to_have_text(
        re.compile(r"^(ahora|hace \d+ segundos?)$"))
    # And it stays Spanish on the next page, though the browser asks for English.
    page.goto("/auth/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")


@pytest.mark.e2e
def test_a_member_s_switch_follows_them_to_another_browser(new_page, make_user):
    make_user("ann")
    first = new_page()
    log_in(first, "ann")
    first.goto("/settings")

    switch_in_footer(first, "Deutsch")

    expect(first.locator("nav.navbar").get_by_role("link", name="Einstellungen")).to_be_visible()
    expect(first.get_by_role("heading", level=1)).to_have_text("Einstellungen")
    other = new_page()  # another computer, whose browser asks for English
    other.goto("/auth/login")
    other.get_by_label("Username").fill("ann")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign In").click()

    navbar = other.locator("nav.navbar")
    expect(navbar.get_by_role("button", name="Abmelden")).to_be_visible()
    expect(navbar.get_by_role("link", name="Startseite")).to_be_visible()
