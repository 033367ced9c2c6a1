"""Searching from the navbar in a real browser: type, press Enter, open a result."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from microblog.services import posts


@pytest.mark.e2e
def test_type_in_the_navbar_box_and_open_a_result(page: Page, make_user):
    susan = make_user("susan", about_me="Writes about Flask")
    article = posts.create_article(susan, "Flask application factories",
                                   "Build the app in a **function**.", publish=True)
    posts.create_post(susan, "Off to the garden")

    page.goto("/explore")
    box = page.locator("#navbar-search").get_by_role("searchbox")
    box.press_sequentially("flas")  # the last word is a prefix: "flas" finds "Flask"
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/search\?q=flas$"))
    results = page.locator("section.search-results")
    expect(results.locator("article")).to_have_count(1)
    expect(results.locator("mark").first).to_have_text("Flask")
    expect(page.locator("section.search-people")).to_contain_text("susan")
    expect(box).to_have_value("flas")

    results.get_by_role("link", name="Flask application factories").click()
    expect(page).to_have_url(re.compile(rf"/post/{article.id}/flask-application-factories$"))
    expect(page.get_by_role("heading", name="Flask application factories")).to_be_visible()
    assert not page.problems.script_errors and not page.problems.failed_responses
