"""Post and comment cards, kept by the render cache (microblog/fragments/): a card is
shared by everyone who sees it, yet each visitor's forms carry their own CSRF token
(and a like comes back to their own page), each visitor gets the buttons the rules
give them, and whatever a card shows is fresh on the very next page after it changes.
The tests that look into the cache's memory are marked ``render_cache``; the others
hold with the cache off too."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from microblog.caching import MemoryLRU
from microblog.extensions import db, fragments
from microblog.fragments.slots import PLACEHOLDERS
from microblog.models.post import Post
from microblog.models.role import Role
from microblog.services import accounts, categories, comments, posts
from microblog.services import likes as like_service
from tests.conftest import CSRF_META
from tests.pages import Element, parse


def slots_left_in(page: str) -> list[str]:
    return [name for name, placeholder in PLACEHOLDERS.items() if placeholder in page]


@pytest.fixture
def people(make_user):
    """alice writes, bob and carol read."""
    return {name: make_user(name) for name in ("alice", "bob", "carol")}


@pytest.fixture
def post(people) -> Post:
    return posts.create_post(people["alice"], "Spring is here")


def card_memory(app) -> MemoryLRU:
    return app.extensions["cache"][fragments]


def cards_kept(app) -> int:
    """How many cards the worker keeps (the navbar and blank forms kept beside them are
    not cards)."""
    return sum(1 for key in card_memory(app) if key[0] in ("post_card", "comment_card"))


def card(client, url: str, post: Post | None, element: str | None = None) -> Element:
    """The card of ``post`` (or the element with id ``element``) on ``url``."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert slots_left_in(response.get_data(as_text=True)) == []
    return parse(response).find("article", id=element or f"post-{post.id}")


def like_form(client, url: str, post: Post) -> tuple[dict[str, str], str]:
    """The like form's fields on ``url`` as the visitor sees it, and the page's own token."""
    response = client.get(url)
    page = parse(response)
    form = page.find("article", id=f"post-{post.id}").find("form", cls="like-form")
    fields = {field.attrs["name"]: field.attrs["value"] for field in form.find_all("input")}
    token = CSRF_META.search(response.get_data(as_text=True)).group(1)
    return {"action": form.attrs["action"], **fields}, token


@pytest.mark.render_cache
def test_a_card_is_rendered_once_and_reused_until_what_it_shows_changes(app, client, post):
    client.get("/explore")
    assert cards_kept(app) == 1

    # Behind the ORM's back, without moving updated_at: the kept card is what is shown.
    db.session.execute(sa.update(Post).where(Post.id == post.id).values(
        body_html="<p>Changed in SQL</p>", updated_at=Post.updated_at))
    db.session.commit()
    assert card(client, "/explore", post).find(cls="post-body").text == "Spring is here"

    # The same change with a new updated_at is a new card (the module says so).
    db.session.execute(sa.update(Post).where(Post.id == post.id).values(
        body_html="<p>Changed in SQL</p>"))
    db.session.commit()
    assert card(client, "/explore", post).find(cls="post-body").text == "Changed in SQL"
    assert cards_kept(app) == 2


@pytest.mark.render_cache
def test_each_visitor_gets_their_own_token_and_return_page_in_a_shared_card(app, people, post):
    bob, carol = app.test_client(), app.test_client()
    bob.login("bob")
    carol.login("carol")

    bob_form, bob_token = like_form(bob, "/explore", post)
    cards = cards_kept(app)
    carol_form, carol_token = like_form(carol, "/user/alice?page=1", post)

    assert cards_kept(app) == cards  # bob's card, in carol's page
    assert bob_form["csrf_token"] == bob_token != carol_token == carol_form["csrf_token"]
    assert bob_form["next"] == f"/explore#post-{post.id}"
    assert carol_form["next"] == f"/user/alice?page=1#post-{post.id}"

    # Carol likes it with exactly what her page gave her, and lands back on that page.
    fields = {name: value for name, value in carol_form.items() if name != "action"}
    answer = carol.post(carol_form["action"], data=fields)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/user/alice?page=1#post-{post.id}"
    assert like_service.liked_ids(people["carol"], [post]) == {post.id}


def test_liked_not_liked_and_logged_out_each_see_their_own_like_button(app, people, post):
    like_service.like(people["bob"], post.id)
    bob, carol, anonymous = app.test_client(), app.test_client(), app.test_client()
    bob.login("bob")
    carol.login("carol")

    for client, pressed, label in ((bob, "true", "♥ Liked 1"), (carol, "false", "♥ Like 1")):
        button = card(client, "/explore", post).find("button", cls="like-button")
        assert (button.attrs["aria-pressed"], button.text) == (pressed, label)
    shown = card(anonymous, "/explore", post)
    assert list(shown.find_all("form")) == []
    assert shown.find(cls="like-count-static").text == "♥ 1 like"


CHANGES: dict[str, Callable] = {
    "the words": lambda people, post: posts.edit_post(people["alice"], post, body="Summer now"),
    "the author's name": lambda people, post: accounts.update_profile(
        people["alice"], "alicia", ""),
    "the comment count": lambda people, post: comments.add(people["carol"], post.id, "Lovely"),
    "the like count": lambda people, post: like_service.like(people["carol"], post.id),
}
EXPECTED = {
    "the words": ("post-body", "Summer now"),
    "the author's name": ("fw-semibold", "alicia"),
    "the comment count": ("comment-count", "1 comment"),
    "the like count": ("like-count", "1"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_to_what_a_card_shows_is_on_the_next_page(client, people, post, change):
    client.login("bob")
    card(client, "/explore", post)

    CHANGES[change](people, post)

    cls, text = EXPECTED[change]
    assert card(client, "/explore", post).find(cls=cls).text == text


def test_a_renamed_category_is_on_the_next_page(client, make_user, people):
    admin = make_user("admin", role=Role.ADMIN)
    travel = categories.create(admin, "Travel")
    article = posts.create_article(people["alice"], "Lisbon", "Trams and tiles.",
                                   category_id=travel.id)
    assert card(client, "/explore", article).find(cls="category").text == "Travel"

    categories.rename(admin, travel, "Journeys")

    assert card(client, "/explore", article).find(cls="category").text == "Journeys"


def test_a_new_email_is_a_new_gravatar_on_the_next_page(app, client, people, post):
    app.config["AVATAR_PROVIDER"] = "gravatar"
    before = card(client, "/explore", post).find("img", cls="avatar").attrs["src"]

    people["alice"].email = "alice@elsewhere.example"
    db.session.commit()

    after = card(client, "/explore", post).find("img", cls="avatar").attrs["src"]
    assert before != after and after.startswith(app.config["GRAVATAR_URL"])


@pytest.mark.parametrize("url", ["/index", "/explore", "/user/alice", "/user/bob/liked",
                                 "/category/travel", "/tag/spring"])
def test_every_page_of_posts_fills_the_slots_in_its_cards(client, make_user, people, url):
    admin = make_user("admin", role=Role.ADMIN)
    travel = categories.create(admin, "Travel")
    article = posts.create_article(people["alice"], "Spring", "Blossom.",
                                   category_id=travel.id, tags="spring")
    like_service.like(people["bob"], article.id)
    client.login("bob")
    client.submit("/follow/alice")

    form, token = like_form(client, url, article)

    assert form["csrf_token"] == token
    assert form["next"] == f"{url}#post-{article.id}"
    assert slots_left_in(client.get(url).get_data(as_text=True)) == []


def test_the_drafts_page_has_no_slot_left_in_it(client, people):
    posts.create_article(people["alice"], "Unfinished", "Soon.", publish=False)
    client.login("alice")

    page = client.get("/drafts").get_data(as_text=True)

    assert "Unfinished" in page and slots_left_in(page) == []


# Comment cards --------------------------------------------------------------------------------

def comment_tools(client, post: Post, comment) -> list[str]:
    shown = card(client, f"/post/{post.id}", post=None, element=f"comment-{comment.id}")
    return [tool.text for tool in shown.find_all(cls="btn")]


def test_each_visitor_gets_the_comment_tools_the_rules_give_them(app, make_user, people, post):
    make_user("mod", role=Role.MODERATOR)
    remark = comments.add(people["carol"], post.id, "Nice")
    visitors = {name: app.test_client() for name in ("carol", "alice", "bob", "mod")}
    for name, client in visitors.items():
        client.login(name)
    visitors["nobody"] = app.test_client()

    seen = {name: comment_tools(client, post, remark) for name, client in visitors.items()}

    assert seen == {"carol": ["Edit", "Delete"],  # wrote it
                    "alice": ["Delete"],  # wrote the post
                    "bob": [], "nobody": [],
                    "mod": ["Delete"]}


@pytest.mark.render_cache
def test_a_shared_comment_card_deletes_with_the_visitors_own_token(app, make_user, people, post):
    make_user("mod", role=Role.MODERATOR)
    make_user("mia", role=Role.MODERATOR)
    remark = comments.add(people["carol"], post.id, "Nice")
    mod, mia = app.test_client(), app.test_client()
    mod.login("mod")
    mia.login("mia")
    card(mod, f"/post/{post.id}", post=None, element=f"comment-{remark.id}")
    cards = cards_kept(app)

    response = mia.get(f"/post/{post.id}")
    form = parse(response).find("article", id=f"comment-{remark.id}").find("form")
    token = CSRF_META.search(response.get_data(as_text=True)).group(1)

    assert cards_kept(app) == cards  # mod's card, in mia's page
    assert form.find("input").attrs["value"] == token
    assert mia.post(form.attrs["action"], data={"csrf_token": token}).status_code == 302
    assert comments.for_post(post, 1, 10).items == []


def test_an_edited_comment_and_a_renamed_commenter_are_on_the_next_page(client, people, post):
    remark = comments.add(people["carol"], post.id, "Nice")
    card(client, f"/post/{post.id}", post=None, element=f"comment-{remark.id}")

    comments.edit(people["carol"], remark, "Very nice")
    accounts.update_profile(people["carol"], "caroline", "")

    shown = card(client, f"/post/{post.id}", post=None, element=f"comment-{remark.id}")
    assert shown.find(cls="comment-body").text == "Very nice"
    assert shown.find(cls="fw-semibold").text == "caroline"
