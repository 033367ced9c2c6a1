"""The pages work in a real browser under the Content-Security-Policy.

The policy forbids inline script and style. A page that still had some would
look fine in a test client, but in Chromium its script would not run and the
browser would report a violation. This test uses the pages the way a person
does (the navbar on a phone-sized screen, local times) and listens for
violations; at the end it proves the listening works by injecting an inline
script, which the browser must refuse.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from microblog.services import posts
from tests.conftest import PASSWORD
from tests.e2e.conftest import wait_until

# Collects every violation the browser reports, from the first byte of each page on.
LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

PHONE = {"width": 390, "height": 844}


def violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations")


@pytest.mark.e2e
def test_pages_work_under_the_content_security_policy(page: Page, make_user):
    susan = make_user("susan")
    posts.create_post(susan, "Written under a strict Content-Security-Policy.")
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    page.set_viewport_size(PHONE)

    response = page.goto("/auth/login")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    form = page.locator("main form")
    form.locator('input[name="username"]').fill("susan")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/index$"))
    page.wait_for_load_state("load")  # Bootstrap's script has run: the toggler answers clicks

    # On a phone the links hide behind the toggler; Bootstrap's script opens and closes it.
    toggler = page.locator(".navbar-toggler")
    profile = page.locator("nav").get_by_role("link", name="Profile")
    expect(toggler).to_be_visible()
    expect(profile).to_be_hidden()
    menu = page.locator("#navbar")
    toggler.click()
    expect(profile).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    # Bootstrap animates the height from script (allowed: the policy stops inline
    # style in markup, not script setting element.style) and ignores clicks meanwhile.
    expect(menu).to_have_class(re.compile(r"\bshow\b"))
    toggler.click()
    expect(profile).to_be_hidden()
    expect(menu).not_to_have_class(re.compile(r"\b(show|collapsing)\b"))
    assert violations(page) == []

    # static/js/local-time.js rewrites the UTC times in the reader's zone.
    for path in ["/explore", "/user/susan"]:
        page.goto(path)
        time = page.locator("article.post time").first
        expect(time).to_have_attribute("data-rendered", "local")
        expect(time).not_to_contain_text("UTC")
        assert violations(page) == [], path

    page.goto("/edit_profile")
    expect(page.get_by_label("About me")).to_be_visible()
    assert violations(page) == []

    toggler.click()
    expect(menu).to_have_class(re.compile(r"\bshow\b"))
    page.locator("nav").get_by_role("button", name="Logout").click()
    expect(page.get_by_role("alert")).to_contain_text("You have been logged out.")
    page.goto("/auth/register")
    expect(page.locator("main form")).to_be_visible()
    assert violations(page) == []

    assert page.problems.script_errors == []
    assert page.problems.console_errors == []

    # The control: an injected inline script is refused, and the refusal is seen.
    ran = page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.__inlineScriptRan = true;";
        document.body.appendChild(script);
        return window.__inlineScriptRan === true;
    }""")
    assert ran is False
    wait_until(page, "window.__cspViolations.length > 0")
    assert violations(page)[0].startswith("script-src")
    assert any("Content Security Policy" in error for error in page.problems.console_errors)
