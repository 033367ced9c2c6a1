"""Timelines, posting, profiles, editing a profile and following, through the HTML pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.avatars import seed_for
from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.follow import followers
from microblog.models.post import Post
from microblog.models.user import User
from microblog.services import follows, posts
from tests.pages import Element, alerts, field_error, parse


def page_of(client, url: str) -> Element:
    response = client.get(url)
    assert response.status_code == 200, url
    return parse(response)


def post_bodies(page: Element) -> list[str]:
    """The posts on a page, top to bottom."""
    return [e.text for e in page.find_all(cls="post-body")]


def pager_links(page: Element) -> dict[str, str]:
    """The pager's working links: {"prev": newer posts, "next": older posts}."""
    return {
        a.attrs["rel"]: a.attrs["href"]
        for a in page.find_all("a", cls="page-link")
        if a.attrs.get("href", "#") != "#" and "disabled" not in a.parent.attrs.get("class", "")
    }


def buttons(page: Element) -> dict[str, str]:
    """Buttons in the page's content that POST: {label: form action} (not the navbar)."""
    return {
        button.text: form.attrs["action"]
        for form in page.find("main").find_all("form", method="post")
        for button in form.find_all("button")
    }


def counts_shown(page: Element) -> tuple[str, str]:
    return page.find(cls="follower-count").text, page.find(cls="following-count").text

# --- the database -------------------------------------------------------------------------


def write(author: User, body: str, minutes_ago: float = 0) -> Post:
    """A post written through the service, dated ``minutes_ago``."""
    post = posts.create_post(author, body)
    post.published_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return post


def post_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Post))


def follow_rows() -> list[tuple[str, str]]:
    follower, followed = so.aliased(User), so.aliased(User)
    return db.session.execute(
        sa.select(follower.username, followed.username)
        .select_from(followers)
        .join(follower, follower.id == followers.c.follower_id)
        .join(followed, followed.id == followers.c.followed_id)
    ).all()


def profile_of(username: str) -> tuple[str, str | None]:
    return db.session.execute(
        sa.select(User.username, User.about_me).where(User.username_matches(username))
    ).one()


# --- home page and posting ----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/index", "/"])
def test_posting_home_needs_a_login_and_comes_back_after_it(client, make_user, url):
    """Signed out, home is the front door (test_front_door.py), no longer a redirect to
    the login; a post sent to it still is."""
    make_user("susan")

    response = client.submit(url, {"post": "Hello"})

    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url == f"/auth/login?next=%2F{url.strip('/')}"
    assert "Please log in to access this page." in alerts(page_of(client, login_url))
    back = client.submit(login_url, {"username": "susan", "password": "correct horse battery"})
    assert back.headers["Location"] == url
    assert post_count() == 0


def test_posting_redirects_home_then_shows_the_post(client, make_user):
    make_user("susan")
    client.login("susan")

    response = client.submit("/index", {"post": "  Hello, <b>world</b> & friends!  "})

    assert response.status_code == 302
    assert response.headers["Location"] == "/index"
    home = page_of(client, "/index")
    assert post_bodies(home) == ["Hello, <b>world</b> & friends!"]  # shown as typed, not bold
    assert not list(home.find(cls="post-body").find_all("b"))
    assert "Your post is now live!" in alerts(home)
    # Reloading the page after the redirect does not post again.
    client.get("/index")
    assert post_count() == 1


def test_a_post_of_exactly_280_characters_is_accepted(client, make_user):
    make_user("susan")
    client.login("susan")

    response = client.submit("/index", {"post": "x" * 280})

    assert response.status_code == 302
    assert post_bodies(page_of(client, "/index")) == ["x" * 280]


def test_line_breaks_count_once_as_in_the_textarea(client, make_user):
    make_user("susan")
    client.login("susan")
    typed = "\n".join(f"line {n:02d} of thirteen." for n in range(13))  # 272 characters
    sent = typed.replace("\n", "\r\n")  # how a browser submits it: 284 characters

    response = client.submit("/index", {"post": "  " + sent + "\r\n"})

    assert (len(typed), len(sent)) == (272, 284)
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Post.body)) == typed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Say something first."),
        ("   \n ", "Say something first."),
        ("x" * 281, "Posts are at most 280 characters."),
    ],
)
def test_a_rejected_post_shows_the_error_and_writes_nothing(client, make_user, body, message):
    make_user("susan")
    client.login("susan")

    response = client.submit("/index", {"post": body})

    assert response.status_code == 422
    page = parse(response)
    assert field_error(page, "post") == message
    assert "Your post is now live!" not in alerts(page)
    assert post_count() == 0


def test_posting_requires_the_csrf_token(client, make_user):
    make_user("susan")
    client.login("susan")

    assert client.post("/index", data={"post": "sneaky"}).status_code == 400
    assert post_count() == 0


# --- timelines ----------------------------------------------------------------------------


def test_explore_is_public_and_shows_every_post_newest_first(client, make_user):
    susan, bob = make_user("susan"), make_user("bob")
    # Written in one order, dated in another: the page must sort by date.
    write(susan, "middle", minutes_ago=5)
    write(bob, "oldest", minutes_ago=10)
    write(bob, "newest", minutes_ago=1)

    page = page_of(client, "/explore")

    assert post_bodies(page) == ["newest", "middle", "oldest"]
    newest = page.find("article")
    links = [a.text for a in newest.find_all("a", href="/user/bob")]
    assert "bob" in links  # the author's name, linking to the profile


def test_explore_with_no_posts_says_so(client):
    assert "No posts yet." in page_of(client, "/explore").find("main").text


def test_home_shows_own_and_followed_posts_only(client, make_user):
    susan, bob, carol = make_user("susan"), make_user("bob"), make_user("carol")
    follows.follow(susan, "bob")
    follows.follow(carol, "susan")  # carol follows susan; that adds nothing to susan's home
    write(susan, "susan's own", minutes_ago=3)
    write(bob, "from bob", minutes_ago=2)
    write(carol, "from carol", minutes_ago=1)
    client.login("susan")

    assert post_bodies(page_of(client, "/index")) == ["from bob", "susan's own"]
    assert post_bodies(page_of(client, "/explore")) == [
        "from carol", "from bob", "susan's own"
    ]


def test_pages_of_explore_link_to_newer_and_older_posts(app, client, make_user):
    app.config["POSTS_PER_PAGE"] = 2
    susan = make_user("susan")
    for n in range(1, 6):
        write(susan, f"post {n}", minutes_ago=10 - n)  # post 5 is the newest

    first = page_of(client, "/explore")
    assert post_bodies(first) == ["post 5", "post 4"]
    assert set(pager_links(first)) == {"next"}
    second = page_of(client, pager_links(first)["next"])
    assert post_bodies(second) == ["post 3", "post 2"]
    assert set(pager_links(second)) == {"prev", "next"}
    last = page_of(client, pager_links(second)["next"])
    assert post_bodies(last) == ["post 1"]
    assert set(pager_links(last)) == {"prev"}

    back = page_of(client, pager_links(last)["prev"])
    assert post_bodies(back) == ["post 3", "post 2"]
    top = page_of(client, pager_links(back)["prev"])
    assert post_bodies(top) == ["post 5", "post 4"]
    assert set(pager_links(top)) == {"next"}
    # A bare page number (a bookmark, an old link) still works.
    assert post_bodies(page_of(client, "/explore?page=2")) == ["post 3", "post 2"]
    assert pager_links(page_of(client, "/explore?page=3"))["prev"].startswith(
        "/explore?page=2&after=")


def test_older_posts_do_not_repeat_what_was_read_when_new_posts_arrive(app, client,
                                                                        make_user):
    """The Older link says "older than the last post you saw", not "skip 2 posts": a post
    written meanwhile does not push one you read onto the next page."""
    app.config["POSTS_PER_PAGE"] = 2
    susan = make_user("susan")
    for n in range(1, 5):
        write(susan, f"post {n}", minutes_ago=10 - n)

    first = page_of(client, "/explore")
    write(susan, "breaking news")
    second = page_of(client, pager_links(first)["next"])

    assert post_bodies(first) == ["post 4", "post 3"]
    assert post_bodies(second) == ["post 2", "post 1"]


@pytest.mark.parametrize("cursor", ["before=nonsense", "before=12.x", "after=", "before=9" * 30])
def test_a_cursor_that_does_not_parse_is_ignored(app, client, make_user, cursor):
    app.config["POSTS_PER_PAGE"] = 2
    susan = make_user("susan")
    for n in range(3):
        write(susan, f"post {n}", minutes_ago=10 - n)
    assert post_bodies(page_of(client, f"/explore?page=2&{cursor}")) == ["post 0"]


def test_a_last_page_that_is_exactly_full_has_no_older_link(app, client, make_user):
    app.config["POSTS_PER_PAGE"] = 2
    susan = make_user("susan")
    for n in range(4):
        write(susan, f"post {n}", minutes_ago=10 - n)

    last = page_of(client, "/explore?page=2")

    assert post_bodies(last) == ["post 1", "post 0"]
    assert pager_links(last) == {"prev": "/explore?page=1"}
    assert client.get("/explore?page=3").status_code == 404


def test_a_single_page_shows_no_pager(app, client, make_user):
    app.config["POSTS_PER_PAGE"] = 2
    write(make_user("susan"), "only one")

    page = page_of(client, "/explore")

    assert pager_links(page) == {}
    assert "Older posts" not in page.text


def test_home_and_profile_pages_paginate_too(app, client, make_user):
    app.config["POSTS_PER_PAGE"] = 2
    susan = make_user("susan")
    for n in range(3):
        write(susan, f"post {n}", minutes_ago=10 - n)
    client.login("susan")

    for url in ("/index", "/user/susan"):
        older = pager_links(page_of(client, url))["next"]
        assert older.startswith(f"{url}?page=2&before=")
        assert post_bodies(page_of(client, older)) == ["post 0"]
        assert post_bodies(page_of(client, f"{url}?page=2")) == ["post 0"]


@pytest.mark.parametrize("page", ["999", "0", "-1"])
@pytest.mark.parametrize("url", ["/explore", "/user/susan", "/index"])
def test_a_page_that_does_not_exist_is_404(app, client, make_user, url, page):
    app.config["POSTS_PER_PAGE"] = 2
    susan = make_user("susan")
    for n in range(3):
        write(susan, f"post {n}")
    client.login("susan")

    response = client.get(f"{url}?page={page}")

    assert response.status_code == 404
    assert "There is no such page." in parse(response).find(cls="error-page").text


def test_a_page_number_that_is_not_a_number_shows_the_first_page(client, make_user):
    write(make_user("susan"), "hello")

    assert post_bodies(page_of(client, "/explore?page=abc")) == ["hello"]


# --- profiles -----------------------------------------------------------------------------


def test_profile_shows_avatar_about_me_counts_and_only_the_users_posts(client, make_user):
    susan = make_user("susan", email="Susan@Example.com", about_me="I like <b>tea</b>.")
    bob, carol = make_user("bob"), make_user("carol")
    follows.follow(bob, "susan")
    follows.follow(carol, "susan")
    follows.follow(susan, "bob")
    write(susan, "first", minutes_ago=2)
    write(susan, "second", minutes_ago=1)
    write(bob, "not susan's")

    page = page_of(client, "/user/susan")

    avatar = page.find("img", cls="avatar", width="128")
    assert avatar.attrs["src"] == f"/avatar/{seed_for(susan.id)}.svg"
    assert page.find(cls="about-me").text == "I like <b>tea</b>."
    assert counts_shown(page) == ("2 followers", "1 following")
    assert post_bodies(page) == ["second", "first"]


def test_profile_counts_use_the_singular_for_one(client, make_user):
    make_user("susan")
    follows.follow(make_user("bob"), "susan")

    page = page_of(client, "/user/susan")

    assert counts_shown(page) == ("1 follower", "0 following")
    assert "susan has not posted yet." in page.find("main").text


def test_profile_lookup_ignores_case(client, make_user):
    make_user("Susan")

    assert page_of(client, "/user/sUSAN").find("h1").text == "Susan"


def test_an_unknown_profile_is_a_404_page(client):
    response = client.get("/user/nobody")

    assert response.status_code == 404
    error = parse(response).find(cls="error-page")
    assert "Not Found" in error.text
    assert "There is no user called nobody." in error.text
    assert error.find("a").text == "Back to Microblog"


def test_an_unknown_profile_name_is_not_run_as_markup(client):
    response = client.get("/user/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")

    assert response.status_code == 404
    page = parse(response)
    assert "There is no user called <img src=x onerror=alert(1)>." in page.text
    assert not [img for img in page.find_all("img") if "onerror" in img.attrs]


# --- editing a profile --------------------------------------------------------------------


def test_edit_profile_requires_login(client):
    response = client.get("/edit_profile")

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=%2Fedit_profile"


def test_edit_profile_is_prefilled(client, make_user):
    make_user("susan", about_me="Tea & cake")
    client.login("susan")

    page = page_of(client, "/edit_profile")

    assert page.find("input", name="username").attrs["value"] == "susan"
    assert page.find("textarea", name="about_me").text == "Tea & cake"


def test_edit_profile_saves_username_and_about_me(client, make_user):
    make_user("susan")
    client.login("susan")

    response = client.submit("/edit_profile", {"username": "Susannah", "about_me": "New here"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/edit_profile"
    assert "Your changes have been saved." in alerts(page_of(client, "/edit_profile"))
    assert profile_of("susannah") == ("Susannah", "New here")
    assert page_of(client, "/user/Susannah").find(cls="about-me").text == "New here"
    assert client.get("/user/susan").headers["Location"] == "/user/Susannah"  # old links work
    assert page_of(client, "/index").find("h1").text == "Hi, Susannah!"  # still logged in


def test_edit_profile_may_change_only_the_case_of_the_own_username(client, make_user):
    make_user("susan")
    client.login("susan")

    assert client.submit("/edit_profile", {"username": "SUSAN", "about_me": ""}).status_code == 302
    assert profile_of("susan") == ("SUSAN", None)


@pytest.mark.parametrize("taken", ["bob", "BOB", "Bob"])
def test_edit_profile_refuses_a_taken_username(client, make_user, taken):
    make_user("susan", about_me="Original")
    make_user("bob")
    client.login("susan")

    response = client.submit("/edit_profile", {"username": taken, "about_me": "Changed"})

    assert response.status_code == 422
    assert field_error(parse(response), "username") == (
        "That username is taken. Please choose another."
    )
    assert profile_of("susan") == ("susan", "Original")
    assert profile_of("bob") == ("bob", None)


def test_edit_profile_refuses_an_about_me_of_141_characters(client, make_user):
    make_user("susan", about_me="Original")
    client.login("susan")

    response = client.submit("/edit_profile", {"username": "susan", "about_me": "x" * 141})

    assert response.status_code == 422
    assert field_error(parse(response), "about_me") == "About me is at most 140 characters."
    assert profile_of("susan") == ("susan", "Original")
    # 140 is fine.
    assert client.submit(
        "/edit_profile", {"username": "susan", "about_me": "x" * 140}
    ).status_code == 302
    assert profile_of("susan") == ("susan", "x" * 140)


def test_about_me_line_breaks_count_once(client, make_user):
    make_user("susan")
    client.login("susan")
    typed = "\n".join(["x" * 34] * 4)  # 139 characters in the textarea, 142 as sent

    response = client.submit(
        "/edit_profile", {"username": "susan", "about_me": typed.replace("\n", "\r\n")}
    )

    assert response.status_code == 302
    assert profile_of("susan") == ("susan", typed)


# --- following ----------------------------------------------------------------------------


def test_follow_and_unfollow_from_the_profile(client, make_user):
    make_user("susan")
    make_user("bob")
    client.login("susan")
    assert buttons(page_of(client, "/user/bob")) == {"Follow": "/follow/bob", "Block": "/block/bob"}

    response = client.submit("/follow/bob")

    assert response.status_code == 302
    assert response.headers["Location"] == "/user/bob"
    page = page_of(client, "/user/bob")
    assert "You are following bob." in alerts(page)
    assert buttons(page) == {"Unfollow": "/unfollow/bob", "Block": "/block/bob"}
    assert counts_shown(page)[0] == "1 follower"
    assert follow_rows() == [("susan", "bob")]

    response = client.submit("/unfollow/bob")

    assert response.headers["Location"] == "/user/bob"
    page = page_of(client, "/user/bob")
    assert "You are not following bob." in alerts(page)
    assert buttons(page) == {"Follow": "/follow/bob", "Block": "/block/bob"}
    assert counts_shown(page)[0] == "0 followers"
    assert follow_rows() == []


def test_following_uses_the_profile_name_whatever_case_was_typed(client, make_user):
    make_user("susan")
    make_user("Bob")
    client.login("susan")

    response = client.submit("/follow/BOB")

    assert response.headers["Location"] == "/user/Bob"
    assert follow_rows() == [("susan", "Bob")]


def test_following_twice_keeps_one_row(client, make_user):
    make_user("susan")
    make_user("bob")
    client.login("susan")

    client.submit("/follow/bob")
    response = client.submit("/follow/bob")

    assert response.status_code == 302
    assert follow_rows() == [("susan", "bob")]
    assert counts_shown(page_of(client, "/user/bob"))[0] == "1 follower"


def test_unfollowing_someone_not_followed_is_harmless(client, make_user):
    make_user("susan")
    make_user("bob")
    client.login("susan")

    assert client.submit("/unfollow/bob").status_code == 302
    assert follow_rows() == []


@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_following_yourself_is_refused_with_a_message(client, make_user, action):
    make_user("susan")
    client.login("susan")

    response = client.submit(f"/{action}/susan")

    assert response.status_code == 302
    assert response.headers["Location"] == "/user/susan"
    assert f"You cannot {action} yourself." in alerts(page_of(client, "/user/susan"))
    assert follow_rows() == []


@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_following_an_unknown_user_is_404(client, make_user, action):
    make_user("susan")
    client.login("susan")

    response = client.submit(f"/{action}/nobody")

    assert response.status_code == 404
    assert "There is no user called nobody." in parse(response).find(cls="error-page").text


@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_following_needs_post_with_a_csrf_token(client, make_user, action):
    susan = make_user("susan")
    make_user("bob")
    if action == "unfollow":
        follows.follow(susan, "bob")
    before = follow_rows()
    client.login("susan")

    assert client.get(f"/{action}/bob").status_code == 405
    assert client.post(f"/{action}/bob").status_code == 400
    assert follow_rows() == before


def test_following_requires_login(client, make_user):
    make_user("bob")
    token = client.csrf_token()

    response = client.post("/follow/bob", data={"csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert follow_rows() == []


def test_profile_buttons_for_owner_and_visitors(client, make_user):
    make_user("susan")
    make_user("bob")

    assert buttons(page_of(client, "/user/bob")) == {}  # anonymous: nothing to click
    client.login("susan")
    own = page_of(client, "/user/susan")
    assert buttons(own) == {}
    assert own.find("main").find("a", href="/edit_profile").text == "Edit your profile"


# --- last seen ----------------------------------------------------------------------------


def last_seen(username: str):
    return db.session.scalar(sa.select(User.last_seen).where(User.username == username))


def set_last_seen(username: str, when) -> None:
    db.session.execute(sa.update(User).where(User.username == username).values(last_seen=when))
    db.session.commit()


def user_updates(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("UPDATE USERS")]


def test_last_seen_is_written_at_most_once_per_interval(app, client, make_user, count_queries):
    assert app.config["LAST_SEEN_INTERVAL_SECONDS"] == 60
    make_user("susan")
    client.login("susan")
    stale = utcnow() - timedelta(minutes=2)
    set_last_seen("susan", stale)

    with count_queries() as statements:
        client.get("/explore")
        client.get("/explore")

    assert len(user_updates(statements)) == 1
    assert last_seen("susan") > stale + timedelta(minutes=1)

    recent = utcnow() - timedelta(seconds=30)
    set_last_seen("susan", recent)
    with count_queries() as statements:
        client.get("/index")
    assert user_updates(statements) == []
    assert last_seen("susan") == recent

    set_last_seen("susan", utcnow() - timedelta(minutes=2))
    with count_queries() as statements:
        client.get("/index")
    assert len(user_updates(statements)) == 1
    assert utcnow() - last_seen("susan") < timedelta(seconds=30)


def test_last_seen_is_shown_on_the_profile(client, make_user):
    make_user("susan")
    three_days_ago = utcnow() - timedelta(days=3)
    set_last_seen("susan", three_days_ago)

    times = page_of(client, "/user/susan").find(cls="profile").find_all("time")
    assert three_days_ago.isoformat() in [t.attrs["datetime"] for t in times]

    client.login("susan")
    client.get("/index")  # any page view while logged in is activity
    seen = last_seen("susan")
    assert utcnow() - seen < timedelta(seconds=30)
    times = page_of(client, "/user/susan").find(cls="profile").find_all("time")
    assert seen.isoformat() in [t.attrs["datetime"] for t in times]


def test_anonymous_visits_write_nothing(client, make_user, count_queries):
    make_user("susan")

    with count_queries() as statements:
        client.get("/explore")
        client.get("/user/susan")

    assert [s for s in statements if not is_read(s)] == []


def is_read(statement: str) -> bool:
    """A SELECT, or a WITH ... SELECT that changes nothing (statements carry no data)."""
    words = set(re.findall(r"[A-Z]+", statement.upper()))
    return statement.lstrip().upper().startswith(("SELECT", "WITH")) and not (
        words & {"INSERT", "UPDATE", "DELETE"})
