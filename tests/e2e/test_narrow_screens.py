"""A phone's width (375 px): no main page scrolls sideways, whatever people typed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.role import Role
from microblog.models.user import User
from microblog.services import comments, follows, posts
from tests.conftest import PASSWORD

WIDTH = 375
# What people paste: a word, a URL and a hashtag longer than any screen is wide.
LONG_WORD = "Supercalifragilisticexpialidocious" * 6
LONG_URL = "https://example.com/" + "a-very-long-path-segment/" * 12
LONG_TAG = "#" + "unbroken" * 12


@pytest.fixture
def phone(browser, live_server):
    """A page 375 px wide that can reach only the live server."""
    context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": 812},
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(5_000)
    context.route(lambda url: not url.startswith(live_server + "/"), lambda route: route.abort())
    yield context.new_page()
    context.close()


@pytest.fixture
def long_words(make_user):
    ada = make_user("ada", about_me=LONG_WORD[:138])
    ada.role = Role.ADMIN
    db.session.commit()
    susan = make_user("susan")
    follows.follow(ada, "susan")
    posts.create_post(susan, f"{LONG_WORD[:100]} {LONG_URL[:100]} {LONG_TAG[:70]}")
    article = posts.create_article(
        susan, "A title with " + LONG_WORD[:150], f"{LONG_WORD}\n\n{LONG_URL}\n\n`{LONG_WORD}`\n\n"
        "| a | table | with | many | columns | " + " | ".join(["wide"] * 12) + " |\n"
        "|---|---|---|---|---|" + "---|" * 12 + "\n"
        "| 1 | 2 | 3 | 4 | 5 | " + " | ".join([LONG_WORD[:40]] * 12) + " |\n",
        tags=LONG_WORD[:50])
    comments.add(ada, article.id, f"{LONG_WORD} {LONG_URL}")
    return article


def overflow(page) -> int:
    """How many pixels wider than the screen the document is (0: it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def sticking_out(page) -> list[str]:
    """The innermost elements whose right edge is past the screen's, as tag.class."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right >
                                                 window.innerWidth + 0.5))
        .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))
        .slice(0, 5)""")


@pytest.mark.e2e
def test_no_main_page_is_wider_than_a_phone(phone, long_words):
    phone.goto("/auth/login")
    phone.get_by_label("Username").fill("ada")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign In").click()
    phone.wait_for_url("**/index")

    pages = ["/index", "/explore", "/user/ada", "/user/susan", "/user/susan/followers",
             f"/post/{long_words.id}/{long_words.slug}", "/search?q=Supercalifragilistic",
             "/admin/users", "/admin/categories", "/settings", "/edit_profile",
             "/write"]
    too_wide = {}
    for path in pages:
        response = phone.goto(path)
        assert response.status == 200, path
        if overflow(phone) > 0:
            too_wide[path] = (overflow(phone), sticking_out(phone))

    assert too_wide == {}


@pytest.mark.e2e
def test_the_navbar_fits_from_tablet_to_desktop_in_every_language(browser, live_server,
                                                                    long_words):
    """German's long words ("Benachrichtigungen") once pushed Log out past a 1200 px
    screen's edge: between a tablet's width and a wide desktop's, in each language, every
    link of an administrator's navbar is on screen."""
    ada = db.session.scalar(sa.select(User).where(User.username == "ada"))
    for width in (800, 1024, 1200, 1400):
        context = browser.new_context(base_url=live_server,
                                      viewport={"width": width, "height": 800})
        page = context.new_page()
        page.goto("/auth/login")
        page.get_by_label("Username").fill("ada")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url("**/index")
        for language in ("en", "es", "de"):
            ada.language = language
            db.session.commit()
            page.goto("/index")
            assert page.evaluate("document.documentElement.lang") == language
            assert (width, language, overflow(page), sticking_out(page)) == \
                (width, language, 0, [])
        context.close()
