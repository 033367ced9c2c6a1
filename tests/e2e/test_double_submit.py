"""A double click on Submit sends the form once (``static/js/submit-once.js``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in


@pytest.mark.e2e
def test_a_second_click_while_the_first_is_on_its_way_sends_nothing(page: Page, make_user):
    make_user("susan")
    log_in(page, "susan")
    page.wait_for_load_state("load")  # submit-once.js is listening

    # The answer "has not come yet": the browser's POSTs get 204 No Content, which leaves
    # the page where it is, as a slow server would, and the test counts them.
    sent = []

    def not_yet(route):
        sent.append(route.request.post_data)
        route.fulfill(status=204)

    page.route("**/index", lambda route: not_yet(route) if route.request.method == "POST"
               else route.continue_())
    page.get_by_label("Say something").fill("One click too many")
    button = page.get_by_role("button", name="Submit")
    button.click()
    expect(button).to_be_disabled()
    button.click(force=True)  # the double click's second

    page.evaluate("() => new Promise(requestAnimationFrame)")  # the click has been handled
    assert len(sent) == 1
    assert "One+click+too+many" in sent[0]


@pytest.mark.e2e
def test_the_buttons_work_again_after_going_back(page: Page, make_user):
    make_user("susan")
    log_in(page, "susan")
    page.get_by_label("Say something").fill("Once")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_contain_text("Your post is now live!")
    expect(page.locator(".post-body", has_text="Once")).to_have_count(1)

    page.go_back()  # the page from before, perhaps from the browser's memory
    expect(page.get_by_role("button", name="Submit")).to_be_enabled()
