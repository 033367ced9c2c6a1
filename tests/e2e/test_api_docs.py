"""/api/docs in a real browser: Swagger UI starts from the app's own files under the
Content-Security-Policy, lists the operations, and a reader can try one."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from microblog.services import posts
from tests.e2e.test_content_security_policy import LISTEN_FOR_VIOLATIONS, violations


@pytest.mark.e2e
def test_the_api_docs_run_under_the_csp_and_try_a_request(page: Page, make_user):
    susan = make_user("susan")
    posts.create_post(susan, "Seen through the API docs.")
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    page.goto("/api/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/feed")).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    # Try GET /api/posts from the page: the browser calls the API itself.
    page.locator("#operations-Posts-get_posts_get_posts .opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    answer = page.locator(".live-responses-table")
    expect(answer.locator("tr.response td.response-col_status")).to_contain_text("200")
    expect(answer).to_contain_text("Seen through the API docs.")
    assert violations(page) == []
    assert page.problems.script_errors == [] and page.problems.console_errors == []
