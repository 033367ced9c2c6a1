"""The categories page at /admin/categories: administrators create, rename and delete
categories; deleting moves the posts, never deletes them. Nobody else may."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.category import Category
from microblog.models.post import Post
from microblog.models.role import Role
from microblog.services import categories, posts
from tests.pages import Element, alerts, field_error, parse

URL = "/admin/categories"


@pytest.fixture
def people(make_user):
    """ada (admin), moe (moderator), susan (member)."""
    roles = {"ada": Role.ADMIN, "moe": Role.MODERATOR, "susan": None}
    return {name: make_user(name, role=role) for name, role in roles.items()}


@pytest.fixture
def filed(people):
    """Two categories; Flask holds two published articles and a draft, Python one article."""
    flask = categories.create(people["ada"], "Flask")
    python = categories.create(people["ada"], "Python")
    susan = people["susan"]
    for title in ("Blueprints", "Factories"):
        posts.create_article(susan, title, "Text.", category_id=flask.id)
    posts.create_article(susan, "Unfinished", "Text.", category_id=flask.id, publish=False)
    posts.create_article(susan, "Typing", "Text.", category_id=python.id)
    return {"flask": flask.id, "python": python.id}


def table(page: Element) -> dict[str, dict]:
    """The categories table as the admin reads it, by name."""
    rows = {}
    for row in page.find("table", cls="categories").find_all("tr", cls="category"):
        name = row.find("input", name="name").attrs["value"]
        move = row.find("select", name="move_to")
        rows[name] = {
            "slug": row.attrs["data-slug"],
            "posts": int(row.find("td", cls="post-count").text),
            "move to": [option.text for option in move.find_all("option")],
            "confirm": row.find("form", cls="delete-form").attrs.get("data-confirm", ""),
        }
    return rows


def admin_page(client) -> Element:
    response = client.get(URL)
    assert response.status_code == 200
    return parse(response)


def stored() -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(sa.select(Category.name, Category.slug)).all())


def filed_under() -> dict[str, str | None]:
    """Each post's title, and the name of its category (None without one)."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Post.title, Category.name).outerjoin(Category, Post.category_id == Category.id)
    )
    return dict(rows.all())


# Reading the list ----------------------------------------------------------------------------

def test_an_admin_sees_each_category_with_its_published_posts(client, filed):
    client.login("ada")

    rows = table(admin_page(client))

    assert list(rows) == ["Flask", "Python"]
    assert rows["Flask"]["posts"] == 2  # the draft is not counted
    assert rows["Flask"]["slug"] == "flask"
    assert rows["Flask"]["move to"] == ["No category", "Python"]
    assert "Delete the category Flask?" in rows["Flask"]["confirm"]
    assert rows["Python"]["posts"] == 1


def test_the_admin_menu_links_the_categories_for_admins_only(client, people):
    client.login("ada")
    menu = parse(client.get("/admin/users")).find("nav", cls="admin-nav")
    assert [a.text for a in menu.find_all("a")] == ["Accounts", "Categories", "Jobs"]
    assert menu.find("a", href=URL)

    client.logout()
    client.login("moe")
    menu = parse(client.get("/admin/users")).find("nav", cls="admin-nav")
    assert [a.text for a in menu.find_all("a")] == ["Accounts"]


def test_with_no_categories_the_page_says_so_and_offers_the_form(client, people):
    client.login("ada")

    page = admin_page(client)

    assert "No categories yet." in page.find("table", cls="categories").text
    assert page.find("input", name="name")


# Creating ------------------------------------------------------------------------------------

def test_an_admin_creates_a_category(client, people):
    client.login("ada")

    response = client.submit(URL, {"name": "  Flask   Tips "}, follow_redirects=True)

    assert response.status_code == 200
    assert "Category Flask Tips created." in alerts(parse(response))
    assert stored() == {"Flask Tips": "flask-tips"}
    assert client.get("/category/flask-tips").status_code == 200


@pytest.mark.parametrize(("name", "message"), [
    ("", "Give the category a name."),
    ("x" * 51, "Names are at most 50 characters."),
    ("FLASK", "There is already a category called Flask."),
])
def test_a_refused_name_is_shown_beside_the_field_and_creates_nothing(
    client, filed, name, message
):
    client.login("ada")

    response = client.submit(URL, {"name": name})

    assert response.status_code == 422
    form = parse(response).find("form", action=URL)
    assert field_error(form, "name") == message
    assert form.find("input", name="name").attrs["value"] == name
    assert set(stored()) == {"Flask", "Python"}


# Renaming ------------------------------------------------------------------------------------

def test_renaming_changes_the_name_and_address_and_keeps_the_posts(client, filed):
    client.login("ada")

    response = client.submit(f"{URL}/{filed['flask']}/rename", {"name": "Flask & Jinja"})

    assert response.status_code == 302
    assert response.headers["Location"] == URL
    assert "Flask is now called Flask & Jinja." in alerts(parse(client.get(URL)))
    assert stored() == {"Flask & Jinja": "flask-jinja", "Python": "python"}
    assert filed_under()["Blueprints"] == "Flask & Jinja"
    assert client.get("/category/flask").headers["Location"] == "/category/flask-jinja"
    page = parse(client.get("/category/flask-jinja"))
    assert "Blueprints" in page.find("section", cls="posts").text


def test_renaming_to_a_name_taken_is_refused_with_the_reason(client, filed):
    client.login("ada")

    response = client.submit(f"{URL}/{filed['flask']}/rename", {"name": "python"})

    assert response.status_code == 422
    assert "There is already a category called Python." in alerts(parse(response))
    assert stored() == {"Flask": "flask", "Python": "python"}


# Deleting ------------------------------------------------------------------------------------

def test_deleting_moves_the_posts_to_the_chosen_category(client, filed):
    client.login("ada")

    response = client.submit(f"{URL}/{filed['flask']}/delete",
                             {"move_to": str(filed["python"])}, follow_redirects=True)

    assert "Flask deleted; 3 posts moved to Python." in alerts(parse(response))
    assert stored() == {"Python": "python"}
    assert filed_under() == {"Blueprints": "Python", "Factories": "Python",
                             "Unfinished": "Python", "Typing": "Python"}
    assert table(parse(response))["Python"]["posts"] == 3


def test_deleting_with_no_category_chosen_leaves_the_posts_without_one(client, filed):
    client.login("ada")

    response = client.submit(f"{URL}/{filed['python']}/delete", {"move_to": ""},
                             follow_redirects=True)

    assert "Python deleted; 1 post now has no category." in alerts(parse(response))
    assert filed_under()["Typing"] is None
    assert set(filed_under()) == {"Blueprints", "Factories", "Unfinished", "Typing"}
    assert client.get("/category/python").status_code == 404


def test_a_category_cannot_take_its_own_posts(client, filed):
    client.login("ada")

    response = client.submit(f"{URL}/{filed['flask']}/delete", {"move_to": str(filed["flask"])})

    assert response.status_code == 422
    assert "Choose another category for its posts." in alerts(parse(response))
    assert set(stored()) == {"Flask", "Python"}


@pytest.mark.parametrize(("action", "data"), [
    ("999/rename", {"name": "New"}),
    ("999/delete", {}),
])
def test_an_unknown_category_is_404(client, filed, action, data):
    client.login("ada")
    assert client.submit(f"{URL}/{action}", data).status_code == 404


def test_moving_posts_to_an_unknown_category_is_404_and_deletes_nothing(client, filed):
    client.login("ada")

    response = client.submit(f"{URL}/{filed['flask']}/delete", {"move_to": "999"})

    assert response.status_code == 404
    assert set(stored()) == {"Flask", "Python"}


# Nobody else ---------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["moe", "susan"])
def test_moderators_and_members_get_403_and_change_nothing(client, filed, who):
    client.login(who)

    assert client.get(URL).status_code == 403
    assert client.submit(URL, {"name": "Mine"}).status_code == 403
    assert client.submit(f"{URL}/{filed['flask']}/rename", {"name": "Mine"}).status_code == 403
    assert client.submit(f"{URL}/{filed['flask']}/delete", {"move_to": ""}).status_code == 403
    assert stored() == {"Flask": "flask", "Python": "python"}


def test_anonymous_visitors_are_sent_to_log_in(client, filed):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert client.submit(f"{URL}/{filed['flask']}/delete").status_code == 302
    assert set(stored()) == {"Flask", "Python"}


def test_every_action_needs_the_csrf_token(client, filed):
    client.login("ada")

    assert client.post(URL, data={"name": "Sneaky"}).status_code == 400
    assert client.post(f"{URL}/{filed['flask']}/rename", data={"name": "X"}).status_code == 400
    assert client.post(f"{URL}/{filed['flask']}/delete").status_code == 400
    assert stored() == {"Flask": "flask", "Python": "python"}
