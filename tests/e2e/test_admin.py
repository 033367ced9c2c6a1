"""Disabling an account from /admin/users in a real browser: ``static/js/confirm.js`` asks first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from microblog.extensions import db
from microblog.models.role import Role
from tests.conftest import PASSWORD


@pytest.mark.e2e
def test_a_moderator_confirms_before_disabling_an_account(page: Page, make_user):
    make_user("susan")
    make_user("moe").role = Role.MODERATOR
    db.session.commit()

    page.goto("/auth/login")
    page.get_by_label("Username").fill("moe")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.locator("nav").get_by_role("link", name="Admin").click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    page.wait_for_load_state("load")  # confirm.js is listening before the first click
    susan = page.locator("tr", has_text="susan@example.com")
    expect(susan).to_contain_text("Active")

    questions: list[str] = []

    def answer(accept: bool):
        def handle(dialog):
            questions.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        return handle

    sent = []  # the forms the browser sends (a late favicon GET is not one)
    # (the Socket.IO long-poll's own POSTs are not forms)
    page.on("request", lambda r: sent.append(r.url)
            if r.method == "POST" and "/socket.io/" not in r.url else None)

    page.once("dialog", answer(accept=False))
    susan.get_by_role("button", name="Disable").click()  # waits for any navigation it starts
    assert questions and questions[0].startswith("Disable susan?")
    assert sent == []  # Cancel: the form was not sent
    expect(susan).to_contain_text("Active")

    page.once("dialog", answer(accept=True))
    susan.get_by_role("button", name="Disable").click()
    expect(page.get_by_role("alert")).to_contain_text("susan is disabled and has been logged out.")
    expect(susan).to_contain_text("Disabled")
    expect(susan.get_by_role("button", name="Enable")).to_be_visible()
    assert len(questions) == 2
    assert [url.removeprefix(page.url.split("/admin")[0]) for url in sent] == [
        "/admin/users/susan/disable"
    ]
    assert page.problems.script_errors == [] and page.problems.console_errors == []
