"""Real time in Chromium: two people on one post's page, each in a browser of their own.

The badges' polling is set to an hour here, so what changes on a page without a
reload came over its socket.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from microblog.services import comments, posts
from tests.e2e.conftest import log_in, wait_until

NO_POLLING = 3600
# The first post card on the screen, and how far from its top.
VISIBLE_CARD = """(() => {
  for (const card of document.querySelectorAll("section.posts article.post")) {
    const box = card.getBoundingClientRect();
    if (box.bottom > 0) return {id: card.id, top: box.top};
  }
})()"""


@pytest.mark.e2e
def test_a_comment_and_a_message_reach_the_other_browser_without_a_reload(
        app, page: Page, new_page, make_user):
    app.config["NOTIFICATIONS_POLL_SECONDS"] = NO_POLLING
    alice = make_user("alice")
    make_user("bob")
    post = posts.create_post(alice, "Who is here?")
    comments.add(alice, post.id, "I am.")

    log_in(page, "alice")
    page.goto(f"/post/{post.id}")
    expect(page.locator('#comments[data-joined="true"]')).to_have_count(1)
    bobs = new_page()
    log_in(bobs, "bob")
    bobs.goto(f"/post/{post.id}")
    expect(bobs.locator('#comments[data-joined="true"]')).to_have_count(1)

    bobs.get_by_role("textbox", name="Your comment").fill("Me *too*")
    bobs.get_by_role("button", name="Comment").click()

    # Alice's page, never reloaded, shows Bob's comment once, and the count follows.
    expect(page.locator(".comment .comment-body em")).to_have_text("too")
    expect(page.locator("#comments-heading")).to_have_text("2 comments")
    expect(page.locator(".comment")).to_have_count(2)
    expect(bobs.locator(".comment")).to_have_count(2)  # and Bob's own, from the push
    expect(bobs.get_by_role("textbox", name="Your comment")).to_have_value("")

    # Bob writes to Alice: her badge changes at once, with a toast.
    badge = page.locator('nav [data-unread="messages"]')
    expect(badge).to_be_hidden()
    bobs.goto("/user/alice")
    bobs.get_by_role("link", name="Send private message").click()
    bobs.get_by_role("textbox", name="Message").fill("Lunch?")
    bobs.get_by_role("button", name="Send").click()
    expect(badge.locator(".count")).to_have_text("1")
    expect(page.locator("#toasts .toast", has_text="bob sent you a message")).to_be_visible()

    # She reads it in another tab: the badge of this one clears too.
    other_tab = page.context.new_page()
    other_tab.goto("/messages")
    other_tab.locator(".conversation", has_text="bob").click()
    expect(badge).to_be_hidden()
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert page.problems.script_errors == [] and bobs.problems.script_errors == []


@pytest.mark.e2e
def test_new_posts_are_counted_and_shown_at_the_top_when_asked(app, page: Page, make_user):
    from microblog.services import follows

    alice, bob = make_user("alice"), make_user("bob")
    follows.follow(alice, "bob")
    for number in range(30):  # more than a screen, to scroll
        posts.create_post(bob, f"Older post {number}")
    log_in(page, "alice")
    page.goto("/index")
    expect(page.locator("html[data-realtime=connected]")).to_have_count(1)
    page.mouse.wheel(0, 600)
    wait_until(page, "window.scrollY > 0")
    looking_at = page.evaluate(VISIBLE_CARD)
    button = page.locator(".new-posts button")

    first = posts.create_post(bob, "Brand new")
    expect(page.get_by_role("button", name="1 new post — show it")).to_be_visible()
    posts.create_post(bob, "Brand new again")
    expect(page.get_by_role("button", name="2 new posts — show them")).to_be_visible()
    assert page.locator(f"#post-{first.id}").count() == 0  # nothing moved by itself

    page.get_by_role("button", name="2 new posts — show them").click()
    expect(page.locator("section.posts article.post").first).to_contain_text("Brand new again")
    expect(page.locator(f"#post-{first.id}")).to_have_count(1)
    expect(button).to_be_hidden()
    # What she was reading stayed where it was on the screen.
    now = page.evaluate(f"document.getElementById({looking_at['id']!r})"
                        ".getBoundingClientRect().top")
    assert abs(now - looking_at["top"]) < 2, (looking_at, now)
    assert page.problems.script_errors == []


@pytest.mark.e2e
def test_explore_hears_of_everyones_new_posts_even_signed_out(app, page: Page, make_user):
    bob = make_user("bob")
    posts.create_post(bob, "First")
    page.goto("/explore")
    expect(page.locator('[data-live="timeline"][data-joined="true"]')).to_have_count(1)
    posts.create_post(bob, "Second")
    page.get_by_role("button", name="1 new post — show it").click()
    expect(page.locator("section.posts article.post").first).to_contain_text("Second")
    expect(page.locator("section.posts article.post")).to_have_count(2)


@pytest.mark.e2e
def test_a_page_that_lost_its_socket_catches_up_once_when_it_is_back(app, page: Page,
                                                                     make_user):
    alice, bob = make_user("alice"), make_user("bob")
    post = posts.create_post(alice, "Are you still there?")
    comments.add(bob, post.id, "Before")
    page.goto(f"/post/{post.id}")
    joined = page.locator('#comments[data-joined="true"]')
    expect(joined).to_have_count(1)
    page.evaluate("document.addEventListener('realtime:disconnect', () => "
                  "{ window.droppedSocket = true; })")

    # The connection drops (the server closes every transport, as a restart would) and,
    # before the page is back (Socket.IO waits at least half a second), two comments
    # are written: their events reach nobody.
    server = app.extensions["socketio"].server.eio
    for connection in list(server.sockets.values()):
        connection.close(wait=False)  # Engine.IO's close, not waiting for its writer
    comments.add(bob, post.id, "While you were away")
    comments.add(alice, post.id, "And this")

    expect(page.locator(".comment")).to_have_count(3)  # both, once, without a reload
    expect(page.locator(".comment").last).to_contain_text("And this")
    expect(page.locator("#comments-heading")).to_have_text("3 comments")
    expect(joined).to_have_count(1)
    assert page.evaluate("window.droppedSocket") is True  # it was gone, and came back
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
