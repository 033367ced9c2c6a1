"""The front door: a visitor signed out who opens ``/`` (or ``/index``) finds the site's
public posts, Explore's featured articles and newest posts, under a welcome with the
ways in, instead of a login wall. A member still finds their home timeline there."""

from __future__ import annotations

import pytest

from microblog.services import follows, posts
from tests.pages import Element, parse

HOME_URLS = ["/", "/index"]


@pytest.fixture
def site(make_user, admin):
    """susan follows amy; john writes a featured article; a stranger posts a status."""
    susan, amy, john, stranger = (make_user(name) for name in ("susan", "amy", "john",
                                                                "stranger"))
    follows.follow(susan, "amy")
    article = posts.create_article(john, "Gardening with Flask", "Roots, routes and *rain*.")
    posts.set_featured(admin, article, True)
    posts.create_post(amy, "Tomatoes are in!")
    posts.create_post(stranger, "Hello from nobody susan follows")
    return article


def front_door(client, url: str) -> Element:
    response = client.get(url)
    assert response.status_code == 200  # no redirect to the login page
    return parse(response)


def statuses(page: Element) -> list[str]:
    return [body.text for body in page.find("section", cls="posts").find_all(cls="post-body")]


@pytest.mark.parametrize("url", HOME_URLS)
def test_a_visitor_signed_out_sees_featured_and_newest_posts_and_the_ways_in(
    client, site, url
):
    page = front_door(client, url)

    welcome = page.find("section", cls="front-door")
    assert welcome.find("h1").text == "Welcome to Microblog"
    assert welcome.find("a", href="/auth/register").text == "Sign up"
    assert welcome.find("a", href="/auth/login").text == "Log in"
    featured = page.find("section", cls="featured")
    assert featured.find("h3").text == "Gardening with Flask"
    assert featured.find("a", href=f"/post/{site.id}/{site.slug}")
    # Everyone's posts, as on Explore, and beside them Explore's lists.
    assert statuses(page) == ["Hello from nobody susan follows", "Tomatoes are in!"]
    assert page.find("section", cls="popular-posts")
    assert page.find("section", cls="category-counts")
    # Nothing of a member's home: no form to post with, nobody greeted.
    assert not list(page.find_all("textarea", name="post"))
    assert "Hi," not in page.find("main").text


def test_the_front_door_shows_what_explore_shows(client, site):
    """One listing, two pages: the front door reads Explore's posts and lists."""
    home, explore = front_door(client, "/"), front_door(client, "/explore")

    assert statuses(home) == statuses(explore)
    assert home.find("section", cls="featured").text == \
        explore.find("section", cls="featured").text
    assert home.find("aside").text == explore.find("aside").text


def test_the_ways_in_lead_to_sign_up_and_to_the_timeline(client, site):
    page = front_door(client, "/")

    assert page.find("a", href="/auth/register")
    assert client.get("/auth/register").status_code == 200
    response = client.login("susan")
    assert response.headers["Location"] == "/index"
    home = parse(client.get("/index"))
    assert home.find("h1").text == "Hi, susan!"


@pytest.mark.parametrize("url", HOME_URLS)
def test_a_member_still_gets_their_timeline(client, site, url):
    client.login("susan")

    response = client.get(url)

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "Hi, susan!"
    assert page.find("textarea", name="post")
    assert statuses(page) == ["Tomatoes are in!"]  # amy, whom susan follows; not everyone
    assert not list(page.find_all("section", cls="front-door"))


def test_the_front_door_is_kept_apart_from_a_members_home(client, site):
    """One address, two pages: the member's is stored nowhere, and the visitor's says it
    differs by cookie, so no cache hands one to the other."""
    visitor = client.get("/")
    assert visitor.status_code == 200
    assert "Cookie" in visitor.headers["Vary"]
    assert "no-store" not in visitor.headers.get("Cache-Control", "")

    client.login("susan")
    member = client.get("/")
    assert member.headers["Cache-Control"] == "private, no-store"
    assert "Cookie" in member.headers["Vary"]
