"""Private messages and the navbar's badges in Chromium: alice writes from bob's profile,
bob's open page shows the unread badge without a reload, he reads and replies."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from microblog.services import follows, posts
from tests.e2e.conftest import log_in, wait_until

POLL_SECONDS = 1  # the badge script's interval here (15 s by default)


@pytest.mark.e2e
def test_a_message_reaches_an_open_page_and_is_read_and_answered(app, page: Page, new_page,
                                                                 make_user):
    app.config["NOTIFICATIONS_POLL_SECONDS"] = POLL_SECONDS
    make_user("alice")
    bob = make_user("bob")
    posts.create_post(bob, "Anyone for lunch?")
    bobs_page = new_page()
    log_in(bobs_page, "bob")
    bobs_page.goto("/explore")
    messages_badge = bobs_page.locator('nav [data-unread="messages"]')
    notifications_badge = bobs_page.locator('nav [data-unread="notifications"]')
    expect(messages_badge).to_be_hidden()

    log_in(page, "alice")
    page.goto("/user/bob")
    page.get_by_role("link", name="Send private message").click()
    page.get_by_role("textbox", name="Message").fill("Lunch *today*?")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Conversation with bob")).to_be_visible()
    expect(page.locator(".message-body em")).to_have_text("today")

    # bob's page was not reloaded: the script polled and showed both badges.
    expect(messages_badge).to_be_visible(timeout=POLL_SECONDS * 1000 * 5)
    expect(messages_badge.locator(".count")).to_have_text("1")
    expect(notifications_badge.locator(".count")).to_have_text("1")
    assert bobs_page.evaluate("performance.getEntriesByType('navigation').length") == 1

    bobs_page.locator("nav").get_by_role("link", name="Messages").click()
    bobs_page.locator(".conversation", has_text="alice").click()
    expect(bobs_page.locator(".message.new .message-body")).to_have_text("Lunch today?")
    expect(messages_badge).to_be_hidden()  # read: gone from this page's navbar already
    expect(notifications_badge).to_be_hidden()
    bobs_page.get_by_role("textbox", name="Message").fill("Yes, at one.")
    bobs_page.get_by_role("button", name="Send").click()
    expect(bobs_page.locator(".message-body").last).to_have_text("Yes, at one.")

    expect(page.locator('nav [data-unread="messages"] .count')).to_have_text(
        "1", timeout=POLL_SECONDS * 1000 * 5)
    assert page.problems.script_errors == [] and bobs_page.problems.script_errors == []


@pytest.mark.e2e
def test_notifications_appear_and_mark_all_read_empties_the_badge(app, page: Page, new_page,
                                                                  make_user):
    app.config["NOTIFICATIONS_POLL_SECONDS"] = POLL_SECONDS
    alice = make_user("alice")
    make_user("bob")
    posts.create_article(alice, "Soil notes", "All about soil.")
    log_in(page, "alice")
    page.goto("/explore")
    badge = page.locator('nav [data-unread="notifications"]')
    expect(badge).to_be_hidden()

    follows.follow(make_user("carol"), "alice")  # another person, elsewhere

    expect(badge.locator(".count")).to_have_text("1", timeout=POLL_SECONDS * 1000 * 5)
    page.locator("nav").get_by_role("link", name="Notifications").click()
    expect(page.locator(".notification.unread .text")).to_have_text("carol followed you")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator(".notification.unread")).to_have_count(0)
    expect(badge).to_be_hidden()


# Counts the badge script's polls as it makes them (a fetch is started synchronously by
# the timer that calls it, so the count is exact as soon as the clock has run).
COUNT_POLLS = """
window.polls = 0;
const fetchAsBefore = window.fetch;
window.fetch = (url, options) => {
  if (String(url).includes("/notifications?since=")) window.polls += 1;
  return fetchAsBefore(url, options);
};
"""


@pytest.mark.e2e
def test_a_page_whose_session_ended_stops_polling(app, page: Page, make_user):
    app.config["NOTIFICATIONS_POLL_SECONDS"] = POLL_SECONDS
    make_user("alice")
    log_in(page, "alice")
    page.route("**/socket.io/**", lambda route: route.abort())  # no socket: it polls
    page.add_init_script(COUNT_POLLS)
    page.clock.install()
    page.goto("/explore")
    page.clock.run_for(POLL_SECONDS * 1000)
    wait_until(page, "window.polls === 1")

    # Signed out in another tab of the same browser: the next poll is refused (401)...
    other_tab = page.context.new_page()
    other_tab.goto("/explore")
    other_tab.locator("nav").get_by_role("button", name="Logout").click()
    expect(other_tab.locator("nav").get_by_role("link", name="Login")).to_be_visible()
    with page.expect_response(lambda r: "/notifications?since=" in r.url) as refused:
        page.clock.run_for(POLL_SECONDS * 1000)
    assert refused.value.status == 401

    # ...and the page stops asking: a minute later it has not asked again.
    page.clock.run_for(60 * 1000)
    assert page.evaluate("window.polls") == 2
