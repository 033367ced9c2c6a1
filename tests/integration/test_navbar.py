"""The navigation bar: kept by the render cache once per kind of visitor
(microblog/fragments/keys.py: navbar), yet showing each visitor their own profile
link, logout token and search words (slots)."""

from __future__ import annotations

import pytest

from microblog.extensions import db, fragments
from microblog.models.role import Role
from tests.pages import Element, parse


def nav(client, url: str = "/explore") -> Element:
    response = client.get(url)
    assert response.status_code == 200
    return parse(response).find("nav")


def links(page_nav: Element) -> dict[str, dict]:
    return {a.text: a.attrs for a in page_nav.find_all("a", "nav-link")}


def current(page_nav: Element) -> list[str]:
    return [a.text for a in page_nav.find_all("a", "nav-link") if "aria-current" in a.attrs]


def navbars_kept(app) -> int:
    return sum(1 for key in app.extensions["cache"][fragments] if key[0] == "navbar")


@pytest.mark.render_cache
def test_two_members_share_one_rendering(app, client, make_user):
    make_user("ann"), make_user("bob")
    client.login("ann")
    other = app.test_client()
    other.login("bob")
    app.extensions["cache"][fragments].clear()  # the navbars seen while logging in
    nav(client), nav(other, "/explore?page=1")
    assert navbars_kept(app) == 1


def test_two_members_each_get_their_own_profile_and_logout(app, client, make_user):
    make_user("ann"), make_user("bob")
    client.login("ann")
    other = app.test_client()
    other.login("bob")

    anns, bobs = nav(client), nav(other)

    assert links(anns)["Profile"]["href"] == "/user/ann"
    assert links(bobs)["Profile"]["href"] == "/user/bob"
    # Each logout form carries its own visitor's token, and it works.
    token = bobs.find("form", action="/auth/logout").find("input", name="csrf_token")
    assert other.post("/auth/logout", data={"csrf_token": token.attrs["value"]}).status_code == 302
    assert "Login" in links(nav(other))
    assert "Profile" in links(nav(client))  # ann is still logged in


def test_the_page_shown_is_marked_whichever_kind_was_rendered_first(client, make_user):
    make_user("ann"), make_user("bob")
    assert current(nav(client, "/auth/login")) == ["Login"]
    assert current(nav(client, "/explore")) == ["Explore"]
    client.login("ann")

    assert current(nav(client, "/explore")) == ["Explore"]
    assert current(nav(client, "/")) == current(nav(client, "/index")) == ["Home"]
    assert current(nav(client, "/user/ann")) == ["Profile"]
    assert current(nav(client, "/user/bob")) == []  # someone else's profile
    assert current(nav(client, "/settings")) == ["Settings"]


def test_the_search_box_shows_the_words_searched_and_only_on_the_search_page(client):
    words = '"><b>bold</b> & more'

    box = nav(client, "/search?q=" + "%22%3E%3Cb%3Ebold%3C%2Fb%3E+%26+more").find(
        "input", name="q")

    assert box.attrs["value"] == words  # escaped in the HTML, so it is text again here
    assert not list(nav(client, "/search?q=x").find_all("b"))
    assert nav(client, "/explore").find("input", name="q").attrs["value"] == ""


def test_a_new_role_shows_its_links_on_the_next_page(client, make_user):
    moe = make_user("moe")
    client.login("moe")
    assert "Admin" not in links(nav(client))

    moe.role = Role.MODERATOR
    db.session.commit()

    assert "Admin" in links(nav(client))
