"""Writing an article in a real browser: the live preview (``static/js/preview.js``)
renders the Markdown as it is typed, publishing shows it on its permalink, a reader
comments, and the author deletes the comment after ``static/js/confirm.js`` asks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in

BODY = """# Getting started

Flask is **small** and *friendly*.

- routes
- templates
"""


def log_out(page: Page) -> None:
    page.locator("nav").get_by_role("button", name="Logout").click()
    expect(page.locator("nav").get_by_role("link", name="Login")).to_be_visible()


@pytest.mark.e2e
def test_write_preview_publish_then_moderate_a_comment(page: Page, make_user):
    make_user("susan")
    make_user("john")

    log_in(page, "susan")
    page.locator("nav").get_by_role("link", name="Write").click()
    expect(page).to_have_url(re.compile(r"/write$"))
    page.wait_for_load_state("load")  # preview.js is listening before the first keystroke
    preview = page.locator("#article-preview")
    expect(preview).not_to_have_attribute("data-rendered", re.compile("."))

    page.get_by_label("Title").fill("Flask in a week")
    page.get_by_label("Article").press_sequentially(BODY)
    page.get_by_label("Tags").fill("flask, tutorial")

    # The server's rendering, through the sanitiser; "#" sits below the page's h1.
    expect(preview.locator("h2")).to_have_text("Getting started")
    expect(preview.locator("strong")).to_have_text("small")
    expect(preview.locator("li")).to_have_text(["routes", "templates"])
    expect(preview).to_have_attribute("data-rendered", re.compile(r"^\d+$"))

    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"/post/\d+/flask-in-a-week$"))
    permalink = page.url
    expect(page.get_by_role("alert")).to_contain_text("Your article is published!")
    expect(page.locator("h1.post-title")).to_have_text("Flask in a week")
    body = page.locator(".article-body")
    expect(body.locator("h2")).to_have_text("Getting started")
    expect(body.locator("em")).to_have_text("friendly")
    expect(page.locator("ul.tags a")).to_have_text(["#flask", "#tutorial"])
    log_out(page)

    log_in(page, "john")
    page.goto(permalink)
    page.get_by_label("Your comment").fill("Thanks, **very** clear!")
    page.get_by_role("button", name="Comment", exact=True).click()
    # Sent over the page's socket: no reload, the comment appears and the box empties.
    comment = page.locator("article.comment", has_text="Thanks, very clear!")
    expect(page.get_by_label("Your comment")).to_have_value("")
    expect(comment.locator("strong")).to_have_text("very")
    expect(page.locator("#comments-heading")).to_have_text("1 comment")
    log_out(page)

    log_in(page, "susan")
    page.goto(permalink)
    page.wait_for_load_state("load")  # confirm.js is listening before the click
    questions: list[str] = []

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    comment.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("alert")).to_contain_text("The comment is deleted.")
    assert questions == ["Delete this comment for good?"]
    expect(page.locator("article.comment")).to_have_count(0)
    expect(page.locator("#comments-heading")).to_have_text("0 comments")
    expect(page.locator(".no-comments")).to_have_text("No comments yet.")

    assert page.problems.script_errors == []
    assert page.problems.console_errors == []
    assert page.problems.failed_responses == []
