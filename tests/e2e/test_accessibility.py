"""Every main page passes axe-core's automated checks in Chromium, signed in or not.

axe-core (npm, a dev dependency in package.json; ``make assets`` installs it into
node_modules/, never into static/, so the site never serves it) looks at the page as
the browser built it: computed colours for contrast, the accessibility tree for names
and landmarks. It is injected with ``page.evaluate``, which goes through the DevTools
protocol, so the page's strict Content-Security-Policy stays on and the page is
measured as a visitor gets it. A serious or critical violation fails the test with the
rule, the elements it found and what to fix; moderate ones are best practice and left to
review. Every page is checked at a desktop's width, and the ones with every kind of
layout again at a phone's (375 px), where the navbar collapses.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from microblog import tokens
from microblog.extensions import db
from microblog.models.role import Role
from microblog.services import categories, comments, follows, messages, posts
from tests.conftest import IN_CI
from tests.e2e.conftest import log_in

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
MISSING = "/no/such/page"
DESKTOP = {"width": 1280, "height": 800}
# At a phone's width the navbar folds behind its toggler and columns and tables reflow;
# the pages checked there again have every layout the others share.
PHONE = {"width": 375, "height": 812}
# WCAG 2.x A and AA, and axe's best practices (landmarks, one main, heading levels...).
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                    "best-practice"]},
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary.split("\\n")[1].trim()),
  }));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        reason = f"{AXE} is missing: run `make assets` (npm ci installs axe-core)"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: the accessibility check is required)")
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


def blocking_violations(page: Page, axe_source: str) -> list[dict]:
    """axe's serious and critical findings on the page as it is now."""
    # A function body, not an expression: Playwright runs it through the DevTools
    # protocol (Runtime.callFunctionOn), which the page's CSP does not govern.
    page.evaluate("() => {" + axe_source + "\n}")
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]


@pytest.fixture
def site(make_user):
    """A lived-in site: people who follow each other, a status, an article in a category
    with tags and comments, a featured article, a conversation (and so notifications);
    ada is an administrator."""
    ada = make_user("ada", about_me="I run this place.", role=Role.ADMIN)
    susan = make_user("susan", about_me="I write about gardens.")
    follows.follow(ada, "susan")
    follows.follow(susan, "ada")
    category = categories.create(ada, "Gardening")
    posts.create_post(susan, "Planting tulips today #spring")
    article = posts.create_article(
        susan, "Tulips in clay soil",
        "Clay holds water.\n\n## What to do\n\n- add grit\n- plant deep\n\n"
        "| month | task |\n|---|---|\n| Oct | plant |\n\n[More](https://example.com)",
        category_id=category.id, tags="spring, bulbs")
    posts.set_featured(ada, article, True)
    comments.add(ada, article.id, "Thank you, this **helped**.")
    comments.add(susan, article.id, "Glad to hear it!")
    draft = posts.create_article(ada, "Notes for the meetup", "To be *continued*.",
                                 publish=False)
    message = messages.send(susan, "ada", "Welcome, *ada*! Ask me anything about tulips.")
    messages.send(ada, "susan", "Thank you!")
    db.session.commit()
    return {"article": article, "category": category, "draft": draft,
            "conversation": message.conversation_id,
            "reset_token": tokens.password_reset_token(susan)}


def anonymous_pages(site) -> list[str]:
    article = site["article"]
    return ["/", "/explore", f"/post/{article.id}/{article.slug}", "/user/susan",
            "/user/susan/followers", "/user/susan/following", "/tag/spring",
            f"/category/{site['category'].slug}", "/search?q=tulips", "/auth/login",
            "/auth/register", "/auth/reset_password_request",
            f"/auth/reset_password/{site['reset_token']}", MISSING]


def signed_in_pages(site) -> list[str]:
    return ["/index", "/explore", "/user/ada", "/user/susan", "/edit_profile", "/settings",
            "/settings/password", "/settings/email", "/settings/sessions",
            "/settings/delete_account", "/settings/export", "/write",
            f"/post/{site['draft'].id}/edit", "/drafts",
            "/admin/users", "/admin/categories", "/search?q=tulips",
            "/messages", f"/messages/{site['conversation']}", "/send_message/susan",
            "/notifications", "/settings/notifications"]


def check(page: Page, axe_source: str, paths: list[str], found: dict, viewport=DESKTOP) -> None:
    """Open each page at that size and note axe's serious findings under its path."""
    page.set_viewport_size(viewport)
    for path in paths:
        response = page.goto(path)
        assert response.status == (404 if path == MISSING else 200), path
        if problems := blocking_violations(page, axe_source):
            found[f"{path} at {viewport['width']} px"] = problems


def report(found: dict) -> str:
    lines = []
    for where, problems in found.items():
        lines.append(where)
        for v in problems:
            lines.append(f"  {v['impact']} {v['id']}: {v['help']}")
            lines.extend(f"    {target}" for target in v["targets"][:5])
    return "\n".join(lines)


@pytest.mark.e2e
def test_main_pages_have_no_serious_accessibility_violations(page: Page, site, axe_source):
    article = f"/post/{site['article'].id}/{site['article'].slug}"
    found: dict = {}
    check(page, axe_source, anonymous_pages(site), found)
    check(page, axe_source, ["/", "/explore", article, "/auth/login"], found, PHONE)

    # A form sent back with its errors shows them too (red text on white must be legible).
    page.goto("/auth/login")
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    if problems := blocking_violations(page, axe_source):
        found["/auth/login with errors"] = problems

    page.set_viewport_size(DESKTOP)
    log_in(page, "ada")
    check(page, axe_source, signed_in_pages(site), found)
    check(page, axe_source, ["/index", article, "/write", "/admin/users", "/settings"], found,
          PHONE)

    if found:
        pytest.fail("axe-core found serious or critical violations:\n" + report(found))


@pytest.mark.e2e
def test_the_check_sees_a_violation(page: Page, site, axe_source):
    """The control: an image without a text alternative is caught, so a pass means something."""
    page.goto("/explore")
    page.evaluate("""() => {
        const img = document.createElement("img");
        img.src = "/static/favicon.svg";
        document.querySelector("main").append(img);
    }""")
    assert "image-alt" in [v["id"] for v in blocking_violations(page, axe_source)]


@pytest.mark.e2e
def test_the_first_tab_shows_a_link_past_the_navbar(page: Page, site):
    page.goto("/explore")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_have_count(1)
    box = skip.bounding_box()
    assert box is None or box["width"] <= 1  # hidden until it has the focus

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["width"] > 50 and box["height"] > 20 and box["y"] >= 0  # seen, on screen

    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is in the content, not the navbar
    assert page.evaluate("document.activeElement.closest('main') !== null")
