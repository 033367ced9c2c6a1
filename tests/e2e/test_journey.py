"""The main journey in a real browser: register, confirm the email, post, log out, follow,
read the timeline.

It also proves ``static/js/local-time.js`` runs: the server writes post times
in UTC and the browser rewrites them in the reader's own zone (the context is
set to Asia/Kolkata, UTC+05:30) and language (en-US).
"""

from __future__ import annotations

import email
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from microblog.mailer import wait_for_pending
from tests.e2e.conftest import TIMEZONE
from tests.smtp import link_path

PASSWORD = "correct horse battery"
RELATIVE_JUST_NOW = re.compile(r"^(now|\d+ seconds? ago|1 minute ago|\d+ minutes ago)$")


def register(page: Page, username: str) -> None:
    page.goto("/auth/register")
    form = page.locator("main form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="email"]').fill(f"{username}@example.com")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('input[name="password2"]').fill(PASSWORD)
    form.get_by_role("button", name="Register").click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_role("alert").first).to_contain_text("Thank you for registering!")
    form = page.locator("main form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/index$"))


def confirm_email(page: Page, outbox: Path, username: str) -> None:
    """Open the link from the confirmation email (saved in the outbox) and press Confirm."""
    expect(page.locator("#confirm-email-banner")).to_be_visible()
    wait_for_pending()
    (message,) = [m for m in map(email.message_from_bytes,
                                 (p.read_bytes() for p in outbox.glob("*.eml")))
                  if m["To"] == f"{username}@example.com"]
    page.goto(link_path(message, "/auth/confirm/"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_contain_text("Your email address is confirmed.")
    expect(page.locator("#confirm-email-banner")).to_have_count(0)


def log_out(page: Page) -> None:
    page.locator("nav").get_by_role("button", name="Logout").click()
    expect(page).to_have_url(re.compile(r"/explore$"))
    expect(page.get_by_role("alert")).to_contain_text("You have been logged out.")
    expect(page.locator("nav").get_by_role("link", name="Login")).to_be_visible()


def full_local_date(moment: datetime, zone: str) -> tuple[str, str]:
    """The date and the "h:mm AM" parts of en-US Intl (dateStyle full, timeStyle short)."""
    local = moment.astimezone(ZoneInfo(zone))
    date = f"{local:%A}, {local:%B} {local.day}, {local.year}"
    clock = f"{local.hour % 12 or 12}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"
    return date, clock


@pytest.mark.e2e
def test_follow_someone_and_read_their_post_in_local_time(page: Page, app, tmp_path):
    body = "Hello from alice, written in a real browser."
    outbox = tmp_path / "outbox"
    app.config["MAIL_OUTBOX_DIR"] = str(outbox)  # this test's mail only

    register(page, "alice")
    confirm_email(page, outbox, "alice")
    page.get_by_label("Say something").fill(body)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_contain_text("Your post is now live!")
    expect(page.locator("article.post").first).to_contain_text(body)
    log_out(page)

    register(page, "bob")
    expect(page.locator("main")).not_to_contain_text(body)  # not following alice yet

    page.goto("/user/alice")
    expect(page.locator(".follower-count")).to_have_text("0 followers")
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("You are following alice.")
    expect(page.locator(".follower-count")).to_have_text("1 follower")
    expect(page.get_by_role("button", name="Unfollow")).to_be_visible()

    page.locator("nav").get_by_role("link", name="Home").click()
    expect(page).to_have_url(re.compile(r"/index$"))
    post = page.locator("article.post", has_text=body)
    expect(post).to_have_count(1)
    expect(post.get_by_text("alice", exact=True)).to_have_attribute("href", "/user/alice")

    time = post.locator("time")
    expect(time).to_have_attribute("data-rendered", "local")
    expect(time).to_have_text(RELATIVE_JUST_NOW)
    expect(time).not_to_contain_text("UTC")

    created = datetime.fromisoformat(time.get_attribute("datetime"))
    assert created.utcoffset() is not None, "the server must send an unambiguous (aware) time"
    date, clock = full_local_date(created, TIMEZONE)
    hour_minute, meridiem = clock.split(" ")
    # ICU puts a narrow no-break space before AM/PM; JavaScript's \s matches it.
    expect(time).to_have_attribute(
        "title", re.compile(re.escape(date) + r" at " + re.escape(hour_minute) + r"\s" + meridiem)
    )
    expect(time).not_to_have_attribute("title", re.compile("UTC"))

    assert page.problems.script_errors == []
    assert page.problems.console_errors == []
    assert page.problems.failed_responses == []
