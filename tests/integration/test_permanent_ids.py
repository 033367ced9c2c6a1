"""An id is given once: after the newest post, comment or account is deleted, the next
one gets a larger id, and the old links (permalinks, comment links, Atom entry ids,
the identicon) answer 404 or stay the deleted one's, never someone else's content.

SQLite reused the largest id after a delete until its tables said AUTOINCREMENT
(migration 0009); PostgreSQL's sequences never did. Each test runs on both.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models.user import User
from microblog.services import comments, posts
from tests.conftest import PASSWORD
from tests.pages import parse

SITE = "https://blog.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def site_address(app):
    app.config["SITE_URL"] = SITE


def entry_ids(client, url: str = "/feed.atom") -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [entry.findtext(f"{ATOM}id")
            for entry in ET.fromstring(response.data).findall(f"{ATOM}entry")]


def by_name(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def avatar_on_profile(client, username: str) -> str:
    page = parse(client.get(f"/user/{username}"))
    return next(img.attrs["src"] for img in page.find("main").find_all("img")
                if "/avatar/" in img.attrs["src"])


def test_a_deleted_posts_links_answer_404_after_the_next_post(client, make_user):
    ann, bob = make_user("ann"), make_user("bob")
    posts.create_post(ann, "An older status")
    gone = posts.create_article(ann, "Spring bulbs", "Plant them in autumn.")
    remark = comments.add(bob, gone.id, "Tulips first!")
    gone_id, remark_id = gone.id, remark.id
    links = [f"/post/{gone_id}", f"/post/{gone_id}/spring-bulbs", f"/comment/{remark_id}"]
    assert [client.get(url).status_code for url in links] == [301, 200, 302]
    assert f"{SITE}/post/{gone_id}" in entry_ids(client)
    client.login("ann")
    assert client.submit(f"/post/{gone_id}/delete").status_code == 302
    db.session.remove()  # forget the deleted post, as the next request would

    newer = posts.create_post(by_name("bob"), "Someone else's news")

    assert newer.id > gone_id
    for url in links:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Someone else" not in response.get_data(as_text=True)
    ids = entry_ids(client)
    assert f"{SITE}/post/{gone_id}" not in ids  # a feed reader sees a new entry, not an edit
    assert ids[0] == f"{SITE}/post/{newer.id}"


def test_a_deleted_comments_link_answers_404_after_the_next_comment(client, make_user):
    ann, bob = make_user("ann"), make_user("bob")
    make_user("cyd")
    post = posts.create_post(ann, "What do you grow?")
    comments.add(bob, post.id, "Beans")
    gone_id = comments.add(bob, post.id, "And tulips").id
    client.login("bob")
    assert client.submit(f"/comment/{gone_id}/delete").status_code == 302
    client.logout()

    client.login("cyd")
    response = client.submit(f"/post/{post.id}/comment", {"body": "Roses, by the door"})

    newer = max(comment.id for comment in comments.for_post(post, 1, 10).items)
    assert response.location.endswith(f"#comment-{newer}")
    assert newer > gone_id
    assert client.get(f"/comment/{gone_id}").status_code == 404


def test_a_deleted_account_leaves_its_id_and_picture_to_no_one(app, client, make_user):
    make_user("ann")
    zed = make_user("zed")
    zed_id, zed_avatar = zed.id, avatar_on_profile(client, "zed")
    client.login("zed")
    response = client.submit("/settings/delete_account",
                             {"password": PASSWORD, "understood": "y"})
    assert response.status_code == 302
    db.session.remove()  # forget the deleted account, as the next request would
    assert db.session.scalars(sa.select(User.username)).all() == ["ann"]

    yan = make_user("yan")

    assert yan.id > zed_id
    assert avatar_on_profile(client, "yan") != zed_avatar  # browsers keep it for ever
    assert client.get("/user/zed").status_code == 404
    assert client.get("/user/zed/feed.atom").status_code == 404


def test_every_table_with_an_id_never_gives_it_twice(app):
    """Every model's table, including ones added later: SQLite says AUTOINCREMENT,
    PostgreSQL draws the id from a sequence (which never goes back)."""
    # A whole-number id could be handed out again; a random one (a task's uuid) cannot.
    with_ids = sorted(table.name for table in db.metadata.sorted_tables
                      if "id" in table.c and isinstance(table.c.id.type, sa.Integer))
    assert {"users", "posts", "comments", "categories", "tags",
            "login_sessions"} <= set(with_ids)
    for name in with_ids:
        assert db.metadata.tables[name].dialect_options["sqlite"]["autoincrement"], name
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            sql = dict(connection.execute(sa.text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())
            assert [name for name in with_ids if "AUTOINCREMENT" not in sql[name]] == []
        else:
            assert [name for name in with_ids if connection.scalar(
                sa.text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": name}
            ) is None] == []
