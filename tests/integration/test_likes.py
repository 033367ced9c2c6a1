"""Likes: liking and unliking posts, what each visitor sees, and a user's liked tab."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.like import likes
from microblog.models.post import Post
from microblog.models.user import User
from microblog.services import accounts, comments, posts, timelines
from microblog.services import likes as like_service
from tests.conftest import PASSWORD
from tests.pages import Element, parse


@pytest.fixture
def people(make_user):
    """alice writes, bob and carol read."""
    return {name: make_user(name) for name in ("alice", "bob", "carol")}


@pytest.fixture
def post(people) -> Post:
    return posts.create_post(people["alice"], "Spring is here")


def page_of(client, url: str) -> Element:
    response = client.get(url)
    assert response.status_code == 200, url
    return parse(response)


def shown(page: Element, post: Post) -> Element:
    return page.find("article", id=f"post-{post.id}")


def like_button(page: Element, post: Post) -> tuple[str, str, str]:
    """(form action, aria-pressed, label) of the post's like button."""
    form = shown(page, post).find("form", cls="like-form")
    button = form.find("button", cls="like-button")
    return form.attrs["action"], button.attrs["aria-pressed"], button.text


def like_rows() -> list[tuple[int, int]]:
    return db.session.execute(
        sa.select(likes.c.user_id, likes.c.post_id).order_by(likes.c.user_id, likes.c.post_id)
    ).all()


def stored_counts(post_id: int) -> tuple[int, int]:
    return db.session.execute(
        sa.select(Post.like_count, Post.comment_count).where(Post.id == post_id)
    ).one()


def titles(page: Element) -> list[str]:
    return [e.text for e in page.find("section", cls="posts").find_all(cls="post-title")]


# --- liking and unliking ------------------------------------------------------------------


def test_liking_twice_is_one_like_and_unliking_twice_is_none(client, people, post):
    client.login("bob")

    first = client.submit(f"/post/{post.id}/like")
    second = client.submit(f"/post/{post.id}/like")

    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == f"/post/{post.id}"
    assert like_rows() == [(people["bob"].id, post.id)]
    assert stored_counts(post.id) == (1, 0)

    for _ in range(2):
        assert client.submit(f"/post/{post.id}/unlike").status_code == 302
    assert like_rows() == []
    assert stored_counts(post.id) == (0, 0)


def test_the_liker_sees_the_button_pressed_others_see_the_count(client, people, post):
    client.login("bob")
    client.submit(f"/post/{post.id}/like", {"next": "/explore"})
    # carol's like counts too, but the button is bob's alone.
    client.logout()
    client.login("carol")
    client.submit(f"/post/{post.id}/like")

    carol_sees = page_of(client, "/explore")
    client.logout()
    client.login("bob")
    bob_sees = page_of(client, "/explore")
    client.logout()
    client.login("alice")
    alice_sees = page_of(client, f"/post/{post.id}")

    assert like_button(bob_sees, post) == (f"/post/{post.id}/unlike", "true", "♥ Liked 2")
    assert like_button(carol_sees, post) == (f"/post/{post.id}/unlike", "true", "♥ Liked 2")
    assert like_button(alice_sees, post) == (f"/post/{post.id}/like", "false", "♥ Like 2")


def test_an_anonymous_visitor_sees_the_count_and_no_button(client, people, post):
    like_service.like(people["bob"], post.id)

    for page in (page_of(client, "/explore"), page_of(client, f"/post/{post.id}")):
        article = shown(page, post)
        assert article.find(cls="like-count-static").text == "♥ 1 like"
        assert not list(article.find_all("form", cls="like-form"))
        assert not list(article.find_all("button"))


def test_anonymous_likes_are_sent_to_log_in(client, post):
    response = client.submit(f"/post/{post.id}/like")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert like_rows() == []


def test_liking_needs_the_csrf_token(client, people, post):
    client.login("bob")

    assert client.post(f"/post/{post.id}/like").status_code == 400
    assert like_rows() == []
    client.submit(f"/post/{post.id}/like")
    assert client.post(f"/post/{post.id}/unlike").status_code == 400
    assert like_rows() == [(people["bob"].id, post.id)]


def test_drafts_and_missing_posts_cannot_be_liked(client, people):
    draft = posts.create_article(people["alice"], "Not yet", "Soon.", publish=False)
    client.login("alice")  # even by the draft's own author

    for url in (f"/post/{draft.id}/like", f"/post/{draft.id}/unlike", "/post/999/like"):
        response = client.submit(url)
        assert response.status_code == 404, url
        assert parse(response).find(cls="lead").text == \
            "That post does not exist, or is not published."
    assert like_rows() == []


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/user/alice?page=1#post-{id}", "/user/alice?page=1#post-{id}"),
        ("https://evil.example/", "/post/{id}"),
        ("//evil.example/", "/post/{id}"),
        ("/\\evil.example/", "/post/{id}"),
        ("", "/post/{id}"),
    ],
)
def test_a_like_goes_back_to_a_local_page_only(client, people, post, next_url, lands_on):
    client.login("bob")

    response = client.submit(f"/post/{post.id}/like", {"next": next_url.format(id=post.id)})

    assert response.status_code == 302
    assert response.headers["Location"] == lands_on.format(id=post.id)
    assert like_rows() == [(people["bob"].id, post.id)]


def test_the_like_button_comes_back_to_the_page_and_post_it_was_on(client, people, post):
    client.login("bob")
    page = page_of(client, "/user/alice")

    form = shown(page, post).find("form", cls="like-form")
    sent_back_to = form.find("input", name="next").attrs["value"]
    response = client.submit(form.attrs["action"], {"next": sent_back_to})

    assert sent_back_to == f"/user/alice#post-{post.id}"
    assert response.headers["Location"] == sent_back_to


# --- which posts the visitor liked ---------------------------------------------------------


@pytest.fixture
def three_posts(people) -> list[int]:
    """The ids of alice's three posts: bob likes the first and the last, carol the
    middle one. The session is emptied, so each check loads its rows afresh, as a
    request does."""
    written = [posts.create_post(people["alice"], f"Post {n}").id for n in range(3)]
    for n in (0, 2):
        like_service.like(people["bob"], written[n])
    like_service.like(people["carol"], written[1])
    db.session.expunge_all()
    return written


def fresh(name: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == name))


def test_a_timeline_knows_which_posts_the_viewer_liked_in_its_own_query(
    three_posts, count_queries
):
    bob = fresh("bob")
    with count_queries() as statements:
        page = timelines.explore(1, 10, viewer=bob)
        liked = {post.id for post in page.items if post.liked_by_viewer}

    assert liked == {three_posts[0], three_posts[2]}
    assert len(statements) == 1  # the page; no second query for the likes
    assert "EXISTS" in statements[0].upper()


def test_posts_loaded_without_asking_are_looked_up_in_one_query(three_posts, count_queries):
    carol = fresh("carol")
    loaded = timelines.explore(1, 10).items  # no viewer: nobody's likes asked
    with count_queries() as statements:
        liked = like_service.liked_ids(carol, loaded)

    assert liked == {three_posts[1]}
    assert len(statements) == 1


def test_a_post_page_asks_for_its_visitors_like_with_the_post(three_posts):
    for name, liked in (("bob", False), ("carol", True)):
        db.session.expunge_all()
        viewer = fresh(name)
        entry = posts.get_post(three_posts[1], viewer)
        assert entry.liked_by_viewer is liked
        assert like_service.liked_ids(viewer, [entry]) == ({entry.id} if liked else set())


def test_nobody_logged_in_has_liked_anything(three_posts):
    anonymous = AnonymousUserMixin()
    page = timelines.explore(1, 10, viewer=anonymous)

    assert like_service.liked_ids(anonymous, page.items) == set()
    assert {post.liked_by_viewer for post in page.items} == {None}  # nothing was asked


# --- the liked tab ------------------------------------------------------------------------


def like_at(user, post: Post, minutes_ago: int) -> None:
    """``user`` likes ``post``, dated ``minutes_ago`` (so the order is under control)."""
    like_service.like(user, post.id)
    db.session.execute(
        sa.update(likes)
        .where(likes.c.user_id == user.id, likes.c.post_id == post.id)
        .values(created_at=utcnow() - timedelta(minutes=minutes_ago))
    )
    db.session.commit()


def test_the_liked_tab_lists_liked_posts_newest_liked_first(client, people):
    alice, bob = people["alice"], people["bob"]
    written = {title: posts.create_article(alice, title, "Words.")
               for title in ("Oldest", "Middle", "Newest", "Unliked")}
    # Liked in an order that is neither the order written nor the reverse.
    like_at(bob, written["Newest"], minutes_ago=30)
    like_at(bob, written["Oldest"], minutes_ago=10)
    like_at(bob, written["Middle"], minutes_ago=20)
    like_at(people["carol"], written["Unliked"], minutes_ago=5)  # someone else's like

    page = page_of(client, "/user/bob/liked")  # public: anonymous here

    assert titles(page) == ["Oldest", "Middle", "Newest"]
    tabs = {a.text: a for a in page.find(cls="profile-tabs").find_all("a")}
    assert {name: a.attrs["href"] for name, a in tabs.items()} == \
        {"Posts": "/user/bob", "Liked": "/user/bob/liked"}
    assert tabs["Liked"].attrs.get("aria-current") == "page"
    assert "aria-current" not in tabs["Posts"].attrs
    profile = page_of(client, "/user/bob")
    assert profile.find(cls="profile-tabs").find("a", aria_current="page").text == "Posts"


def test_the_liked_tab_hides_unpublished_and_deleted_posts(client, people):
    alice, bob = people["alice"], people["bob"]
    kept, withdrawn, deleted = (posts.create_article(alice, title, "Words.")
                                for title in ("Kept", "Withdrawn", "Deleted"))
    for n, liked in enumerate((kept, withdrawn, deleted)):
        like_at(bob, liked, minutes_ago=n)
    withdrawn.published_at = None  # back to a draft, which only its author may see
    db.session.commit()
    posts.delete_post(alice, deleted)

    assert titles(page_of(client, "/user/bob/liked")) == ["Kept"]


def test_the_liked_tab_pages_and_says_when_it_is_empty(app, client, people):
    app.config["POSTS_PER_PAGE"] = 2
    for n in range(3):
        like_at(people["bob"], posts.create_article(people["alice"], f"Post {n}", "Words."),
                minutes_ago=n)

    first = page_of(client, "/user/bob/liked")
    second = page_of(client, "/user/bob/liked?page=2")
    empty = page_of(client, "/user/carol/liked")

    assert titles(first) == ["Post 0", "Post 1"]
    assert first.find("a", rel="next").attrs["href"] == "/user/bob/liked?page=2"
    assert titles(second) == ["Post 2"]
    assert titles(empty) == []
    assert "carol has not liked any posts yet." in empty.find("section", cls="posts").text
    assert client.get("/user/nobody/liked").status_code == 404


# --- deleted accounts ---------------------------------------------------------------------


def test_counts_stay_right_when_a_liker_deletes_their_account(client, people, post):
    for name in ("bob", "carol"):
        client.login(name)
        client.submit(f"/post/{post.id}/like")
        client.submit(f"/post/{post.id}/comment", {"body": f"Nice, from {name}"})
        client.logout()
    assert stored_counts(post.id) == (2, 2)
    client.login("bob")

    response = client.submit("/settings/delete_account",
                             {"password": PASSWORD, "understood": "y"})

    assert response.status_code == 302
    assert stored_counts(post.id) == (1, 1)
    article = shown(page_of(client, "/explore"), post)
    assert article.find(cls="like-count-static").text == "♥ 1 like"
    assert article.find(cls="comment-count").text == "1 comment"
    page = page_of(client, f"/post/{post.id}")
    assert page.find(id="comments-heading").text == "1 comment"
    assert [e.text for e in page.find_all(cls="comment-body")] == ["Nice, from carol"]


def test_deleting_an_account_through_the_service_recounts_every_post_it_touched(people):
    alice, bob = people["alice"], people["bob"]
    first, second = post_ids = [posts.create_post(alice, f"post {n}").id for n in range(2)]
    like_service.like(bob, first)
    like_service.like(people["carol"], first)
    comments.add(bob, second, "hello")

    accounts.delete_account(bob, PASSWORD, True)

    assert [stored_counts(post_id) for post_id in post_ids] == [(1, 0), (0, 0)]
