"""Renamed users and categories keep their links: an old name answers 301 to the new one,
until someone else takes it (issue 24, point 4)."""

from __future__ import annotations

import pytest

from microblog.models.role import Role
from microblog.services import accounts, categories, posts
from tests.conftest import PASSWORD
from tests.pages import parse


def moved_to(client, url: str) -> str:
    """Where ``url`` is sent on for good (asserting that it is a 301)."""
    response = client.get(url)
    assert response.status_code == 301, f"{url} answered {response.status_code}"
    return response.headers["Location"]


def shown_username(client, url: str) -> str:
    """Whose profile (or list of people) ``url`` shows, without following redirects."""
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return parse(response).find(cls="profile").find("h1").text


# Users ----------------------------------------------------------------------------------------

def test_an_old_username_leads_to_each_page_under_the_new_one(client, make_user):
    make_user("susan")
    client.login("susan")
    assert client.submit("/edit_profile", {"username": "Susannah",
                                           "about_me": ""}).status_code == 302

    for page in ("", "/feed.atom", "/followers", "/following", "/liked"):
        assert moved_to(client, f"/user/susan{page}") == f"/user/Susannah{page}"
    # Any case, as usernames are found; what asked for a page keeps asking for it.
    assert moved_to(client, "/user/SUSAN?page=2") == "/user/Susannah?page=2"
    assert moved_to(client, "/user/susan/followers?page=3") == "/user/Susannah/followers?page=3"
    response = client.get("/user/susan", follow_redirects=True)
    assert parse(response).find(cls="profile").find("h1").text == "Susannah"


def test_the_redirect_is_permanent_but_kept_by_a_browser_for_a_day_only(client, make_user):
    accounts.update_profile(make_user("susan"), "susannah", "")

    response = client.get("/user/susan")

    assert response.status_code == 301
    # Someone else may take "susan" tomorrow: no browser keeps the 301 for ever.
    assert response.headers["Cache-Control"] == "max-age=86400"


def test_following_by_an_old_name_is_refused_not_redirected(client, make_user):
    """A browser repeats a redirected POST as a GET; the stale button's POST is a 404."""
    accounts.update_profile(make_user("susan"), "susannah", "")
    make_user("amy")
    client.login("amy")

    assert client.get("/user/susan").status_code == 301
    assert client.submit("/follow/susan").status_code == 404
    assert shown_username(client, "/user/susannah/followers") == "susannah"
    assert "Nobody follows susannah yet." in client.get(
        "/user/susannah/followers").get_data(as_text=True)


def test_a_chain_of_renames_leads_to_the_newest_name_in_one_hop(client, make_user):
    user = make_user("ann")
    for name in ("anne", "annie"):
        accounts.update_profile(user, name, "")

    assert moved_to(client, "/user/ann") == "/user/annie"
    assert moved_to(client, "/user/anne/feed.atom") == "/user/annie/feed.atom"


def test_renaming_back_to_an_old_name_gives_the_name_back(client, make_user):
    user = make_user("ann")
    accounts.update_profile(user, "anne", "")
    accounts.update_profile(user, "ann", "")

    assert shown_username(client, "/user/ann") == "ann"
    assert moved_to(client, "/user/anne") == "/user/ann"


def test_someone_may_register_another_users_old_name_and_gets_its_address(client, make_user):
    susan = make_user("susan")
    accounts.update_profile(susan, "susannah", "")

    # Anyone may take it, in any case: an old name reserves nothing.
    tom = make_user("Susan", "tom@example.com")

    assert shown_username(client, "/user/susan") == "Susan"
    assert shown_username(client, "/user/susannah") == "susannah"
    # The old redirect is gone, not only hidden: when this Susan renames in turn,
    # her old name leads to her, not to the first one.
    accounts.update_profile(tom, "tom", "")
    assert moved_to(client, "/user/susan") == "/user/tom"


def test_renaming_to_another_users_old_name_takes_it_over(client, make_user):
    accounts.update_profile(make_user("susan"), "susannah", "")
    make_user("bob")
    client.login("bob")

    response = client.submit("/edit_profile", {"username": "SUSAN", "about_me": ""})

    assert response.status_code == 302
    assert shown_username(client, "/user/susan") == "SUSAN"
    assert moved_to(client, "/user/bob") == "/user/SUSAN"


def test_a_deleted_accounts_old_names_are_404(client, make_user):
    susan = make_user("susan")
    accounts.update_profile(susan, "susannah", "")
    accounts.update_profile(susan, "sue", "")
    assert moved_to(client, "/user/susan") == "/user/sue"

    accounts.delete_account(susan, PASSWORD, understood=True)

    for name in ("susan", "susannah", "sue"):
        assert client.get(f"/user/{name}").status_code == 404
        assert client.get(f"/user/{name}/feed.atom").status_code == 404


def test_an_old_name_costs_one_statement_more_than_a_miss(app, client, make_user,
                                                          count_queries):
    accounts.update_profile(make_user("susan"), "susannah", "")
    client.get("/explore")  # the first request warms what every request shares

    with count_queries() as missing:
        assert client.get("/user/nobody").status_code == 404
    with count_queries() as moved:
        assert client.get("/user/susan").status_code == 301

    assert len(moved) == len(missing)
    assert [s for s in missing if "former_usernames" in s]  # the miss asked the old names


# Categories -----------------------------------------------------------------------------------

@pytest.fixture
def flask_category(make_user):
    """ada (admin) and the category Flask, with susan's article in it."""
    ada = make_user("ada", role=Role.ADMIN)
    flask = categories.create(ada, "Flask")
    posts.create_article(make_user("susan"), "Blueprints", "Text.", category_id=flask.id)
    return ada, flask


def test_an_old_category_slug_leads_to_the_renamed_category(client, flask_category):
    ada, flask = flask_category
    client.login("ada")
    client.submit(f"/admin/categories/{flask.id}/rename", {"name": "Flask & Jinja"})

    assert moved_to(client, "/category/flask") == "/category/flask-jinja"
    assert moved_to(client, "/category/flask?page=2") == "/category/flask-jinja?page=2"
    assert moved_to(client, "/category/flask/feed.atom") == "/category/flask-jinja/feed.atom"
    page = parse(client.get("/category/flask", follow_redirects=True))
    assert "Blueprints" in page.find("section", cls="posts").text


def test_category_renames_chain_and_go_back(client, flask_category):
    ada, flask = flask_category
    for name in ("Flask web", "Flask apps"):
        categories.rename(ada, flask, name)
    assert moved_to(client, "/category/flask") == "/category/flask-apps"
    assert moved_to(client, "/category/flask-web") == "/category/flask-apps"

    categories.rename(ada, flask, "Flask")

    assert client.get("/category/flask").status_code == 200
    assert moved_to(client, "/category/flask-apps") == "/category/flask"


def test_a_new_category_takes_over_an_old_slug(client, flask_category):
    ada, flask = flask_category
    categories.rename(ada, flask, "Flask & Jinja")
    assert moved_to(client, "/category/flask") == "/category/flask-jinja"

    categories.create(ada, "Flask")

    page = parse(client.get("/category/flask"))
    assert page.find("h1").text == "Category: Flask"
    assert "Blueprints" not in page.find("section", cls="posts").text  # it stays in the old one
    assert "Blueprints" in parse(client.get("/category/flask-jinja")).find(
        "section", cls="posts").text


def test_a_deleted_categorys_old_slugs_are_404(client, flask_category):
    ada, flask = flask_category
    categories.rename(ada, flask, "Flask & Jinja")
    assert moved_to(client, "/category/flask/feed.atom") == "/category/flask-jinja/feed.atom"

    categories.delete(ada, flask, move_to=None)

    assert client.get("/category/flask").status_code == 404
    assert client.get("/category/flask/feed.atom").status_code == 404

