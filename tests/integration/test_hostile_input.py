"""Hostile input gets the app's 4xx page and changes nothing: never a 500.

Each case here was a 500 on PostgreSQL, on SQLite or on both, found by probing
the app as an attacker would (issue 23): control characters that PostgreSQL
refuses in text, numbers larger than the columns hold, digits ``int()`` refuses
after ``str.isdigit()`` let them through, and line breaks in a redirect target
that Werkzeug refuses to put in a header after the action was done.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.category import Category
from microblog.models.like import likes
from microblog.models.post import Post
from microblog.models.role import Role
from microblog.services import categories, posts
from tests.integration.test_error_pages import error_page, problem
from tests.pages import field_error, parse

HUGE = "9999999999999999999999999"  # 25 digits: more than 64 bits
JUST_PAST_INTEGER = str(2**31)  # one more than PostgreSQL's INTEGER holds
CONTROL_REFUSED = ("What you sent holds control characters, which no text can contain. "
                   "Please remove them and try again.")


@pytest.fixture
def susan(make_user):
    return make_user("susan")


@pytest.fixture
def status(susan) -> Post:
    return posts.create_post(susan, "Spring is here")


def post_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Post))


def like_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(likes))


# --- control characters ------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/user/%00", "/user/su%00san/liked", "/user/a%00/feed.atom", "/tag/a%00b",
    "/category/a%00b",
])
def test_a_control_character_in_the_path_is_the_404_page(client, susan, path):
    response = client.get(path)

    assert response.status_code == 404
    assert error_page(response)["name"] == "Not Found"


@pytest.mark.parametrize("url", [
    "/search?q=a%00b", "/search?q=tulips&type=%00", "/explore?before=%00",
    "/user/susan?after=1%1B2", "/search?q%00=x",
])
def test_a_control_character_in_the_query_is_the_400_page_that_says_so(client, susan, url):
    response = client.get(url)

    assert response.status_code == 400
    page = error_page(response)
    assert page["name"] == "Bad Request"
    assert page["detail"] == CONTROL_REFUSED


def test_a_json_client_gets_a_problem_body(client, susan):
    response = client.get("/search?q=%00", headers={"Accept": "application/json"})

    assert response.status_code == 400
    assert problem(response)["detail"] == CONTROL_REFUSED


def test_the_admin_search_refuses_a_nul(client, make_user):
    make_user("ada", role=Role.ADMIN)
    client.login("ada")

    assert client.get("/admin/users?q=ad%00a").status_code == 400


def test_a_username_with_a_nul_does_not_log_in(client, susan):
    response = client.login("su\x00san")

    assert response.status_code == 400
    assert error_page(response)["detail"] == CONTROL_REFUSED
    assert client.get("/settings").status_code == 302  # still signed out


def test_a_reset_request_with_a_nul_sends_nothing(client, app, susan):
    outbox = Path(app.config["MAIL_OUTBOX_DIR"])
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()

    response = client.submit("/auth/reset_password_request", {"email": "susan@example.com\x00"})

    assert response.status_code == 400
    assert (set(outbox.glob("*.eml")) if outbox.exists() else set()) == before


def test_line_breaks_and_tabs_are_text_but_other_control_characters_are_refused(client, susan):
    client.login("susan")

    refused = client.submit("/index", {"post": "one\x07two"})
    assert refused.status_code == 400
    assert post_count() == 0  # not saved with the bell taken out, either

    kept = client.submit("/index", {"post": "first line\r\n\tsecond line"})
    assert kept.status_code == 302
    assert db.session.scalar(sa.select(Post.body)) == "first line\n\tsecond line"


def test_about_me_keeps_its_line_breaks_and_refuses_an_escape(client, susan):
    client.login("susan")

    assert client.submit("/edit_profile", {"username": "susan",
                                           "about_me": "\x1b[31mred"}).status_code == 400
    saved = client.submit("/edit_profile", {"username": "susan", "about_me": "Hi!\r\nI garden."})
    assert saved.status_code == 302
    db.session.refresh(susan)
    assert susan.about_me == "Hi!\nI garden."


# --- integers larger than the columns ----------------------------------------------------------


@pytest.mark.parametrize("path", [
    f"/post/{HUGE}", f"/post/{JUST_PAST_INTEGER}", f"/post/{HUGE}/some-title",
    f"/comment/{HUGE}", f"/comment/{JUST_PAST_INTEGER}",
    "/post/%D9%A1",  # Arabic-Indic one: int() reads it as 1, it is not our URL
])
def test_an_id_no_column_holds_is_the_404_page(client, status, path):
    response = client.get(path)

    assert response.status_code == 404
    assert error_page(response)["name"] == "Not Found"


@pytest.mark.parametrize("action", ["like", "unlike", "comment", "delete", "publish", "feature"])
def test_a_post_action_on_an_id_no_column_holds_is_404(client, status, action):
    client.login("susan")

    response = client.submit(f"/post/{HUGE}/{action}", {"body": "hello"})

    assert response.status_code == 404
    assert post_count() == 1


@pytest.mark.parametrize("page", ["9223372036854775807", HUGE])
@pytest.mark.parametrize("url", ["/explore", "/user/susan", "/user/susan/liked", "/post/{post}"])
def test_a_page_number_past_any_list_is_the_404_page(client, status, url, page):
    response = client.get(url.format(post=status.id) + f"?page={page}")

    assert response.status_code == 404
    assert error_page(response)["detail"] == "There is no such page."


@pytest.mark.parametrize("cursor", ["before=1.%C2%B2", "after=1.%C2%B2", f"before=1.{HUGE}",
                                    f"after=1.{HUGE}", "before=%D9%A1.1"])
def test_a_cursor_that_is_not_ours_is_ignored(client, status, cursor):
    response = client.get(f"/explore?{cursor}")

    assert response.status_code == 200
    assert f'id="post-{status.id}"' in response.get_data(as_text=True)  # the first page


@pytest.fixture
def garden(make_user):
    """ada, an administrator, and her category Garden with one article in it."""
    ada = make_user("ada", role=Role.ADMIN)
    category = categories.create(ada, "Garden")
    posts.create_article(ada, "Tulips", "In spring.", category_id=category.id)
    return ada, category


def test_a_category_no_column_holds_is_a_form_error_and_saves_nothing(client, garden):
    client.login("ada")

    response = client.submit("/write", {"title": "Roses", "body": "In summer.",
                                        "category": HUGE, "publish": "Publish"})

    assert response.status_code == 422
    assert field_error(parse(response), "category") == "Choose a category from the list."
    assert post_count() == 1


@pytest.mark.parametrize("move_to", [HUGE, JUST_PAST_INTEGER, "\u00b2"])
def test_moving_posts_to_a_category_no_column_holds_is_404_and_deletes_nothing(
        client, garden, move_to):
    _, category = garden
    client.login("ada")

    response = client.submit(f"/admin/categories/{category.id}/delete", {"move_to": move_to})

    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Category)) == 1


def test_an_admin_action_on_a_category_id_no_column_holds_is_404(client, garden):
    client.login("ada")

    assert client.submit(f"/admin/categories/{HUGE}/rename", {"name": "x"}).status_code == 404
    assert client.submit(f"/admin/categories/{HUGE}/delete").status_code == 404


# --- redirect targets --------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/explore\r\nSet-Cookie: evil=1", "/explore\n", "/explo\tre"])
def test_a_like_with_a_broken_next_is_saved_and_goes_to_the_post(client, status, target):
    """Line breaks and tabs are text at the edge; as a redirect target they are refused."""
    client.login("susan")

    response = client.post(f"/post/{status.id}/like",
                           data={"csrf_token": client.csrf_token(), "next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/post/{status.id}"
    assert like_count() == 1


@pytest.mark.parametrize("target", ["/settings%0D%0ASet-Cookie:%20evil=1", "/settings%0A",
                                    "/sett%09ings"])
def test_a_login_with_a_broken_next_logs_in_and_goes_home(client, susan, target):
    response = client.post(f"/auth/login?next={target}",
                           data={"csrf_token": client.csrf_token(), "username": "susan",
                                 "password": "correct horse battery"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/index"
    assert "evil" not in response.headers.get("Set-Cookie", "")
    assert client.get("/settings").status_code == 200
