"""Hover cards in Chromium (``static/js/hover-cards.js``): rest the pointer on a name,
read the card, follow from it; the keyboard opens and closes it; a tap is a link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from microblog.services import follows, posts
from tests.e2e.conftest import LOCALE, TIMEZONE, log_in
from tests.e2e.test_content_security_policy import LISTEN_FOR_VIOLATIONS, violations

OPEN_DELAY_MS = 500  # hover-cards.js's OPEN_DELAY


def popup_requests(page: Page) -> list[str]:
    """The card requests the page makes, as they are sent."""
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url)
            if request.url.endswith("/popup") else None)
    return sent


@pytest.mark.e2e
def test_hovering_a_name_opens_its_card_and_following_from_it_sticks(page: Page, make_user):
    make_user("susan")
    bob = make_user("bob", about_me="Mostly about bees.")
    follows.follow(make_user("ann"), "bob")
    posts.create_post(bob, "Bees are busy this week.")
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    log_in(page, "susan")
    sent = popup_requests(page)
    page.goto("/explore")
    page.wait_for_load_state("load")

    post = page.locator("article.post", has_text="Bees are busy")
    name = post.locator("a.fw-semibold[data-user-card]")
    card = page.locator(".user-popup")
    page.evaluate("""() => document.addEventListener("pointerover", () => {
        window.__hoveredAt = window.__hoveredAt || performance.now();
    }, true)""")
    name.hover()

    expect(card).to_be_visible()
    # The card was not even asked for before the pointer had rested there for the delay.
    asked_after = page.evaluate("""() => performance.getEntriesByType("resource")
        .find(entry => entry.name.endsWith("/user/bob/popup")).startTime
        - window.__hoveredAt""")
    assert asked_after >= OPEN_DELAY_MS
    expect(card.locator(".username")).to_have_text("bob")
    expect(card.locator(".about-me")).to_have_text("Mostly about bees.")
    expect(card.locator(".follower-count")).to_have_text("1 follower")
    expect(card.locator(".following-count")).to_have_text("0 following")
    last_seen = card.locator(".last-seen time")
    expect(last_seen).to_have_attribute("data-rendered", "local")  # local-time.js saw it
    expect(last_seen).not_to_contain_text("UTC")

    # Into the card (past the grace period's gap) and Follow.
    button = card.get_by_role("button", name="Follow")
    button.click()
    expect(card.get_by_role("button")).to_have_text("Unfollow")
    expect(card.locator(".follower-count")).to_have_text("2 followers")
    expect(card.locator(".follow-error")).to_have_text("")

    page.mouse.move(5, 700, steps=5)  # away: the card closes
    expect(card).to_have_count(0)
    post.locator("img.avatar").hover()  # the same person's avatar: the same card, kept
    expect(card).to_be_visible()
    expect(card.get_by_role("button")).to_have_text("Unfollow")
    assert len([url for url in sent if url.endswith("/user/bob/popup")]) == 1

    page.goto("/user/bob")
    expect(page.locator(".profile .follower-count")).to_have_text("2 followers")
    expect(page.locator(".profile").get_by_role("button", name="Unfollow")).to_be_visible()
    assert violations(page) == []
    assert page.problems.script_errors == []
    assert page.problems.console_errors == []


@pytest.mark.e2e
def test_the_keyboard_opens_a_card_and_escape_closes_it(page: Page, make_user):
    make_user("susan")
    posts.create_post(make_user("bob"), "Reached with the Tab key.")
    log_in(page, "susan")
    sent = popup_requests(page)
    page.goto("/explore")
    page.wait_for_load_state("load")

    for _ in range(60):  # the links from the top of the page, as a keyboard reaches them
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('[data-user-card]')"):
            break
    name = page.locator("article.post a.fw-semibold[data-user-card='bob']")
    expect(name).to_be_focused()
    card = page.locator(".user-popup")
    expect(card).to_be_visible()
    expect(card.locator(".username")).to_have_text("bob")

    page.keyboard.press("Tab")  # on into the card, which comes right after the name
    expect(card.locator(".username")).to_be_focused()
    page.keyboard.press("Escape")
    expect(card).to_have_count(0)
    expect(name).to_be_focused()  # the focus went back, and the card stays closed
    page.keyboard.press("Escape")
    expect(card).to_have_count(0)
    assert sent == [sent[0]] and sent[0].endswith("/user/bob/popup")


@pytest.mark.e2e
def test_a_tap_on_a_touch_screen_opens_the_profile(browser, live_server, make_user):
    posts.create_post(make_user("bob"), "Tapped, not hovered.")
    context = browser.new_context(base_url=live_server, has_touch=True, is_mobile=True,
                                  timezone_id=TIMEZONE, locale=LOCALE,
                                  viewport={"width": 390, "height": 844})
    context.route(lambda url: not url.startswith(live_server + "/"),
                  lambda route: route.abort())
    try:
        page = context.new_page()
        sent = popup_requests(page)
        page.goto("/explore")
        page.wait_for_load_state("load")

        page.locator("article.post a.fw-semibold[data-user-card='bob']").tap()

        expect(page).to_have_url(re.compile(r"/user/bob$"))
        expect(page.locator(".profile h1")).to_have_text("bob")
        assert sent == []
    finally:
        context.close()
